using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;

namespace RxStream.Benchmarks;

/// <summary>Runs the benchmarks of the matching classes interleaved, timing each call by its thread's CPU time: a cross-check of BenchmarkDotNet's figures on a machine shared with other work.</summary>
/// <remarks>
/// <para>BenchmarkDotNet measures one method after the other, so load that comes and goes on a shared machine lands
/// on one side of a ratio. Here each round calls every method of a case once, in turn, and times the call by the
/// CPU time of the calling thread (<c>CLOCK_THREAD_CPUTIME_ID</c> on Linux, wall time elsewhere), which waiting for
/// a core does not inflate. The minimum over the rounds is the figure least touched by other work; the median is
/// shown beside it. Work the runtime does on other threads (background GC, tiering) is counted for neither side.</para>
/// <para>It reuses the classes as they are: their <c>[Params]</c>, <c>[GlobalSetup]</c> and baseline.</para>
/// </remarks>
internal static class Interleaved
{
    private const int WarmupRounds = 5;
    private const int ThreadCpuClock = 3;

    /// <summary>Measures every class whose name matches <paramref name="filter"/> (<c>*</c> is a wildcard) over <paramref name="rounds"/> rounds.</summary>
    public static void Run(string filter, int rounds)
    {
        var pattern = new Regex("^" + Regex.Escape(filter).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
        var types = typeof(Interleaved).Assembly.GetTypes().Where(t => t.IsPublic && !t.IsAbstract && pattern.IsMatch(t.Name));
        Console.WriteLine("| Class | Case | Method | Min (ms) | Min ratio | Median (ms) | Median ratio |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var type in types)
        {
            var methods = type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).ToArray();
            if (methods.Length == 0)
            {
                continue;
            }

            var baseline = Array.FindIndex(methods, m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline);
            foreach (var assignment in Cases(type))
            {
                var instance = Activator.CreateInstance(type)!;
                foreach (var (property, value) in assignment)
                {
                    property.SetValue(instance, value);
                }

                Invoke<GlobalSetupAttribute>(type, instance);
                var times = Measure(methods, instance, rounds);
                Invoke<GlobalCleanupAttribute>(type, instance);

                var name = string.Join(", ", assignment.Select(a => $"{a.Property.Name}={a.Value}"));
                var mins = times.Select(t => t.Min()).ToArray();
                var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
                for (var i = 0; i < methods.Length; i++)
                {
                    var minRatio = baseline < 0 ? double.NaN : mins[i] / mins[baseline];
                    var medianRatio = baseline < 0 ? double.NaN : medians[i] / medians[baseline];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {type.Name} | {name} | {methods[i].Name} | {mins[i]:F3} | {minRatio:F2} | {medians[i]:F3} | {medianRatio:F2} |"));
                }
            }
        }
    }

    private static List<double>[] Measure(MethodInfo[] methods, object instance, int rounds)
    {
        var times = methods.Select(_ => new List<double>(rounds)).ToArray();
        for (var round = -WarmupRounds; round < rounds; round++)
        {
            for (var i = 0; i < methods.Length; i++)
            {
                var start = Now();
                var result = methods[i].Invoke(instance, null);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }

                var elapsed = Now() - start;
                if (round >= 0)
                {
                    times[i].Add(elapsed);
                }
            }
        }

        return times;
    }

    // Every combination of the values of the [Params] and [ParamsAllValues] properties, as BenchmarkDotNet makes them.
    private static IEnumerable<List<(PropertyInfo Property, object? Value)>> Cases(Type type)
    {
        IEnumerable<List<(PropertyInfo, object?)>> cases = [[]];
        foreach (var property in type.GetProperties())
        {
            object?[]? values = property.GetCustomAttribute<ParamsAttribute>()?.Values
                ?? (property.GetCustomAttribute<ParamsAllValuesAttribute>() is not null ? Enum.GetValues(property.PropertyType).Cast<object?>().ToArray() : null);
            if (values is not null)
            {
                cases = cases.SelectMany(c => values.Select(v => new List<(PropertyInfo, object?)>(c) { (property, v) })).ToList();
            }
        }

        return cases;
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }

    // Milliseconds of this thread's CPU time on Linux; of wall time elsewhere.
    private static double Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var time) == 0)
        {
            return (time.Seconds * 1e3) + (time.Nanoseconds / 1e6);
        }

        return Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
