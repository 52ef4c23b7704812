using RxStream.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

// The timer action and disposal in every order a scheduler thread allows: before, during and after each other.
public class ConnectDeadlineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [Fact]
    public void ConnectDeadline_DisposedBeforeAnAlreadyStartedActionRuns_ActionDoesNothing()
    {
        var scheduler = new ManualTimerScheduler();
        var deadline = new ConnectDeadline(scheduler, Limit, CancellationToken.None);
        var token = deadline.Token;

        deadline.Dispose();
        scheduler.Run(0);

        Assert.False(deadline.HasFired);
        Assert.False(token.IsCancellationRequested);
        Assert.Equal(1, scheduler.Disposals);
    }

    [Fact]
    public void ConnectDeadline_DisposedWhileTheActionCancels_NeitherThrowsAndTheDeadlineCountsAsFired()
    {
        var scheduler = new ManualTimerScheduler();
        var deadline = new ConnectDeadline(scheduler, Limit, CancellationToken.None);

        // The cancellation runs the token's callbacks synchronously: disposing from one is disposal in the middle of
        // the action, between its claim of the state and its release of the source.
        Exception? fromDispose = null;
        using var registration = deadline.Token.Register(() => fromDispose = Record.Exception(deadline.Dispose));
        scheduler.Run(0);

        Assert.Null(fromDispose);
        Assert.True(deadline.HasFired);

        // The action disposed the source on its way out, once.
        Assert.Throws<ObjectDisposedException>(() => deadline.Token.WaitHandle);
        deadline.Dispose();
    }

    [Fact]
    public void ConnectDeadline_ActionThenDispose_CancelsOnceAndReleasesTheSource()
    {
        var scheduler = new ManualTimerScheduler();
        var deadline = new ConnectDeadline(scheduler, Limit, CancellationToken.None);
        var token = deadline.Token;

        scheduler.Run(0);
        Assert.True(token.IsCancellationRequested);
        Assert.True(deadline.HasFired);
        deadline.Dispose();
        deadline.Dispose();

        Assert.Throws<ObjectDisposedException>(() => deadline.Token.WaitHandle);
        Assert.Equal([Limit], scheduler.DueTimes);
    }

    [Fact]
    public void ConnectDeadline_Infinite_SchedulesNothing()
    {
        var scheduler = new ManualTimerScheduler();
        using var deadline = new ConnectDeadline(scheduler, Timeout.InfiniteTimeSpan, CancellationToken.None);

        Assert.Empty(scheduler.DueTimes);
        Assert.False(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void ConnectDeadline_CallerCancels_IsNotAFiredDeadline()
    {
        var scheduler = new ManualTimerScheduler();
        using var caller = new CancellationTokenSource();
        using var deadline = new ConnectDeadline(scheduler, Limit, caller.Token);

        caller.Cancel();

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.False(deadline.HasFired);
    }
}
