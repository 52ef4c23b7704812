using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests.Testing;

/// <summary>Runs a test body under Coyote's systematic testing engine, which picks the interleaving of its controlled tasks.</summary>
/// <remarks>
/// Every run is pinned: a fixed seed and a fixed number of iterations, so a run explores the same schedules on every
/// machine and a failure replays. Besides tasks, awaits and locks, Interlocked and Volatile calls (on by default in Coyote
/// 1.7.11) and plain field reads and writes (off by default, turned on here) are scheduling points: so the engine can
/// run another task between a check and an act even when the act is a call into the BCL, which is not rewritten and
/// runs as one step (a Volatile read followed by <c>CancellationTokenSource.Cancel</c>, say).
/// </remarks>
internal static class Interleavings
{
    /// <summary>The iterations of a run: a few thousand schedules, a few seconds on two cores.</summary>
    public const uint Iterations = 2_000;

    /// <summary>The seed of every run, so that the schedules explored are the same everywhere.</summary>
    public const uint Seed = 13;

    /// <summary>Explores <paramref name="test"/> and returns the report.</summary>
    public static TestReport Explore(Func<Task> test, uint iterations = Iterations)
    {
        var configuration = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithRandomGeneratorSeed(Seed)
            .WithAtomicOperationRaceCheckingEnabled(true)
            .WithVolatileOperationRaceCheckingEnabled(true)
            .WithLockAccessRaceCheckingEnabled(true)
            .WithMemoryAccessRaceCheckingEnabled(true)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false);
        using var engine = TestingEngine.Create(configuration, test);
        engine.Run();
        return engine.TestReport;
    }

    /// <summary>Explores <paramref name="test"/> and fails with Coyote's report if any schedule broke an assertion.</summary>
    public static void AssertNoBug(Func<Task> test, ITestOutputHelper output, uint iterations = Iterations)
    {
        var report = Explore(test, iterations);
        output.WriteLine(report.GetText(report.Configuration));
        Assert.True(report.NumOfFoundBugs == 0, $"Coyote found a bug:{Environment.NewLine}{string.Join(Environment.NewLine, report.BugReports)}{Environment.NewLine}{report.GetText(report.Configuration)}");
        Assert.True(report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths >= iterations, $"Coyote explored fewer schedules than asked:{Environment.NewLine}{report.GetText(report.Configuration)}");
    }

    /// <summary>Awaits each task in turn.</summary>
    /// <remarks>
    /// Not <c>Task.WhenAll</c>: C# 13 binds it to .NET 9's <c>ReadOnlySpan&lt;Task&gt;</c> overload, which Coyote 1.7.11
    /// does not intercept, and an uncontrolled task there is reported as a bug.
    /// </remarks>
    public static async Task JoinAsync(params Task[] tasks)
    {
        foreach (var task in tasks)
        {
            await task;
        }
    }
}
