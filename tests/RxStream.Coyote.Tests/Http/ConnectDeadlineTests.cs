using Microsoft.Coyote.Specifications;
using RxStream.Coyote.Tests.Testing;
using RxStream.Http;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests.Http;

/// <summary>Races <see cref="ConnectDeadline"/>'s timer action against its disposal, the action on a task Coyote schedules.</summary>
public sealed class ConnectDeadlineTests(ITestOutputHelper output)
{
    [Fact]
    public void ConnectDeadline_TimerRacesDispose_CancelsIffFiredAndNothingEscapes() => Interleavings.AssertNoBug(async () =>
    {
        var scheduler = new TaskTimerScheduler();
        var deadline = new ConnectDeadline(scheduler, TimeSpan.FromSeconds(10), CancellationToken.None);
        var token = deadline.Token;

        // The connection ends (its using block disposes the deadline) while the timer may be firing.
        var disposer = Task.Run(deadline.Dispose);
        await disposer;

        // What the timer action threw (an ObjectDisposedException from a disposed source) faulted its task: it fails here.
        await scheduler.DrainAsync();

        Specification.Assert(scheduler.Scheduled == 1, $"{scheduler.Scheduled} timers scheduled");
        Specification.Assert(token.IsCancellationRequested == deadline.HasFired, $"cancelled {token.IsCancellationRequested}, fired {deadline.HasFired}");
        Specification.Assert(TokenSources.IsDisposed(token), "the token source was left undisposed");
    }, output);

    [Fact]
    public void ConnectDeadline_TimerRacesTwoDisposes_CancelsIffFiredAndNothingEscapes() => Interleavings.AssertNoBug(async () =>
    {
        var scheduler = new TaskTimerScheduler();
        var deadline = new ConnectDeadline(scheduler, TimeSpan.FromSeconds(10), CancellationToken.None);
        var token = deadline.Token;
        var first = Task.Run(deadline.Dispose);
        var second = Task.Run(deadline.Dispose);
        await Interleavings.JoinAsync(first, second);
        await scheduler.DrainAsync();

        Specification.Assert(token.IsCancellationRequested == deadline.HasFired, $"cancelled {token.IsCancellationRequested}, fired {deadline.HasFired}");
        Specification.Assert(TokenSources.IsDisposed(token), "the token source was left undisposed");
    }, output);
}
