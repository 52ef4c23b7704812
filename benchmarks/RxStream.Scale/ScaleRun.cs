using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace RxStream.Scale;

/// <summary>The parent: starts the server child, checks the shared clock, runs one client child per (level, kind), and writes the tables and the chart.</summary>
internal static class ScaleRun
{
    private const int ClockChecks = 20;
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(ScaleOptions options)
    {
        using var run = new CancellationTokenSource(options.RunLimit);
        await using var server = ChildProcess.Start(options.ServerArguments());
        var hello = await server.ReadLineAsync(run.Token) ?? throw new InvalidOperationException("The server exited before listening.");
        var words = hello.Split(' ');
        if (words is not ["port", var portText, "frequency", var frequencyText, "nofile", var limitText])
        {
            throw new InvalidOperationException($"The server said '{hello}'.");
        }

        var port = int.Parse(portText, CultureInfo.InvariantCulture);
        if (long.Parse(frequencyText, CultureInfo.InvariantCulture) != Stopwatch.Frequency)
        {
            throw new InvalidOperationException("The server's Stopwatch ticks at another frequency: its timestamps cannot be compared with ours.");
        }

        var clock = await CheckClockAsync(server, run.Token);
        Console.Error.WriteLine($"server pid {server.Id} on 127.0.0.1:{port}, open-file limit {limitText}; clock: {clock}");

        var results = new List<LevelResult>();
        var missing = new List<string>();
        for (var level = 0; level < options.Levels.Count && !run.IsCancellationRequested; level++)
        {
            for (var round = 0; round < options.Repeat && !run.IsCancellationRequested; round++)
            {
                // Alternate which kind goes first, so neither always meets a freshly drained (or still settling) server.
                var kinds = (level + round) % 2 == 0 ? options.Kinds : options.Kinds.Reverse().ToList();
                foreach (var kind in kinds)
                {
                    var streams = options.Levels[level];
                    var result = await MeasureAsync(options, kind, streams, port, run.Token);
                    await server.SendAsync(FormattableString.Invariant($"drain {DrainLimit.TotalSeconds}"));
                    var drained = await server.ReadLineAsync(run.Token);
                    var openAfter = drained is not null && drained.StartsWith("drained ", StringComparison.Ordinal)
                        ? int.Parse(drained["drained ".Length..], CultureInfo.InvariantCulture)
                        : -1;
                    Console.Error.WriteLine($"server: {openAfter} streams still open after the {ScaleOptions.KindName(kind)} {streams} client closed");
                    if (result is null)
                    {
                        missing.Add($"{ScaleOptions.KindName(kind)} {streams}");
                        continue;
                    }

                    results.Add(result with { ServerOpenAfter = openAfter });
                    Console.Error.WriteLine(ReportWriter.ConsoleRow(results[^1]));
                }
            }
        }

        await server.SendAsync("quit");
        var report = new ScaleReport
        {
            Machine = DescribeMachine(),
            Date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Settings = FormattableString.Invariant(
                $"warm-up {options.Warmup.TotalSeconds} s, window {options.Window.TotalSeconds} s, batches of {options.Batch}, one fresh client process per measurement, median of {options.Repeat} run(s) per (level, kind)"),
            ClockCheck = clock,
            Results = results,
        };
        Directory.CreateDirectory(options.Output);
        await ReportWriter.WriteAsync(report, options.Output);
        Console.WriteLine(ReportWriter.Markdown(report));
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"No result for: {string.Join(", ", missing)}");
        }

        return missing.Count == 0 && results.All(r => r.ServerOpenAfter == 0) ? 0 : 1;
    }

    /// <summary>Verifies that the server's <see cref="Stopwatch.GetTimestamp"/> is our clock: each of its readings must fall between ours before and after asking.</summary>
    private static async Task<string> CheckClockAsync(ChildProcess server, CancellationToken cancellationToken)
    {
        var widest = 0L;
        for (var i = 0; i < ClockChecks; i++)
        {
            var before = Stopwatch.GetTimestamp();
            await server.SendAsync("clock");
            var reply = await server.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("The server exited.");
            var after = Stopwatch.GetTimestamp();
            var reading = long.Parse(reply["clock ".Length..], CultureInfo.InvariantCulture);
            if (reading < before || reading > after)
            {
                throw new InvalidOperationException($"The server's clock read {reading}, outside [{before}, {after}]: the processes do not share a monotonic clock.");
            }

            widest = Math.Max(widest, after - before);
        }

        return FormattableString.Invariant(
            $"{ClockChecks}/{ClockChecks} server Stopwatch readings fell inside the parent's before/after bracket (widest {Stopwatch.GetElapsedTime(0, widest).TotalMilliseconds:F2} ms)");
    }

    private static async Task<LevelResult?> MeasureAsync(ScaleOptions options, StreamKind kind, int streams, int port, CancellationToken runToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        limit.CancelAfter(options.LevelLimit);
        await using var client = ChildProcess.Start(options.ClientArguments(kind, streams, port));
        LevelResult? result = null;
        try
        {
            string? line;
            while ((line = await client.ReadLineAsync(limit.Token)) is not null)
            {
                if (line.StartsWith("result ", StringComparison.Ordinal))
                {
                    result = JsonSerializer.Deserialize(line["result ".Length..], ScaleJsonContext.Default.LevelResult);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{ScaleOptions.KindName(kind)} {streams}: over the {options.LevelLimit.TotalSeconds} s level limit, killing client pid {client.Id}");
        }

        if (!await client.WaitForExitAsync(limit.Token) || client.ExitCode != 0)
        {
            Console.Error.WriteLine($"{ScaleOptions.KindName(kind)} {streams}: client did not finish cleanly");
        }

        return result;
    }

    private static string DescribeMachine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return FormattableString.Invariant(
            $"{Environment.ProcessorCount} cores ({model ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
    }
}
