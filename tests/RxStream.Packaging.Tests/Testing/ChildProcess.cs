using System.Diagnostics;
using System.Text;

namespace RxStream.Packaging.Tests.Testing;

/// <summary>What a finished child process printed, and how it ended.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Stdout">Everything it wrote to stdout.</param>
/// <param name="Stderr">Everything it wrote to stderr.</param>
/// <param name="Elapsed">How long it ran.</param>
public sealed record ChildResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Gets stdout and stderr together, for an assertion message.</summary>
    public string Output => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a program to its end within a time limit, capturing its output; on the limit it kills the whole process tree.</summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="program">The program, a path or a name on PATH.</param>
    /// <param name="args">The arguments, each passed as it is.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="limit">How long it may run before it is killed and the run fails.</param>
    /// <param name="environment">Variables to set (a <see langword="null"/> value removes one).</param>
    /// <param name="yieldCpu">Whether to run it (and every process it starts) at a lower priority, through <c>nice</c>: a
    /// build or an AOT compilation then takes only the CPU that the other test assemblies, running at the same time
    /// and some of them bounded in wall-clock time, leave free.</param>
    public static async Task<ChildResult> RunAsync(
        string program,
        IEnumerable<string> args,
        string workingDirectory,
        TimeSpan limit,
        IReadOnlyDictionary<string, string?>? environment = null,
        bool yieldCpu = false)
    {
        if (yieldCpu && !OperatingSystem.IsWindows())
        {
            args = ["-n", "10", program, .. args];
            program = "nice";
        }

        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"{program} {string.Join(' ', args)} did not end within {limit.TotalSeconds} s.\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
        }

        return new ChildResult(process.ExitCode, await stdout, await stderr, Stopwatch.GetElapsedTime(started));
    }
}
