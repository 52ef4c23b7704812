using Microsoft.Coyote.Specifications;
using RxStream.Coyote.Tests.Testing;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests;

/// <summary>Proves that these tests can fail: Coyote must find the race in an emitter that checks, then acts.</summary>
public sealed class BuggyEmitterTests(ITestOutputHelper output)
{
    [Fact]
    public void BuggyEmitter_CompleteRacesFail_CoyoteFindsTheDoubleTerminal()
    {
        var report = Interleavings.Explore(async () =>
        {
            var observer = new CheckingObserver<int>();
            var emitter = new BuggyEmitter(observer);
            var completer = Task.Run(emitter.Complete);
            var failer = Task.Run(() => emitter.Fail(new IOException("dropped")));
            await Interleavings.JoinAsync(completer, failer);
            Specification.Assert(observer.Terminals == 1, $"{observer.Terminals} terminal notifications");
        });

        output.WriteLine(report.GetText(report.Configuration));
        Assert.True(report.NumOfFoundBugs > 0, $"Coyote missed the check-then-act race:{Environment.NewLine}{report.GetText(report.Configuration)}");
        Assert.Contains(report.BugReports, bug => bug.Contains("2 terminal notifications", StringComparison.Ordinal));
    }

    // The bug issue 13 item 2 describes, as a volatile field read and then written: two terminals can both pass the check.
    private sealed class BuggyEmitter(IObserver<int> observer)
    {
        private IObserver<int>? _observer = observer;

        public void Complete()
        {
            if (Volatile.Read(ref _observer) is { } current)
            {
                Volatile.Write(ref _observer, null);
                current.OnCompleted();
            }
        }

        public void Fail(Exception error)
        {
            if (Volatile.Read(ref _observer) is { } current)
            {
                Volatile.Write(ref _observer, null);
                current.OnError(error);
            }
        }
    }
}
