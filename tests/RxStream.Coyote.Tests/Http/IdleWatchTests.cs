using Microsoft.Coyote.Specifications;
using RxStream.Coyote.Tests.Testing;
using RxStream.Http;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests.Http;

/// <summary>Races <see cref="IdleWatch"/>'s timer action against its disposal and against activity, the action on a task Coyote schedules.</summary>
public sealed class IdleWatchTests(ITestOutputHelper output)
{
    [Fact]
    public void IdleWatch_TimerRacesDispose_CancelsIffFiredAndNothingEscapes() => Interleavings.AssertNoBug(async () =>
    {
        var scheduler = new TaskTimerScheduler();
        var watch = new IdleWatch(scheduler, TimeSpan.FromSeconds(30), CancellationToken.None);
        var token = watch.Token;
        var disposer = Task.Run(watch.Dispose);
        await disposer;

        // What a timer action threw (an ObjectDisposedException from a disposed source) faulted its task: it fails here.
        await scheduler.DrainAsync();

        Specification.Assert(token.IsCancellationRequested == watch.Fired, $"cancelled {token.IsCancellationRequested}, fired {watch.Fired}");
        Specification.Assert(TokenSources.IsDisposed(token), "the token source was left undisposed");
    }, output);

    [Fact]
    public void IdleWatch_TimerRacesActivityAndDispose_CancelsIffFiredAndNothingEscapes() => Interleavings.AssertNoBug(async () =>
    {
        var scheduler = new TaskTimerScheduler();
        var watch = new IdleWatch(scheduler, TimeSpan.FromSeconds(30), CancellationToken.None);
        var token = watch.Token;

        // A read arrives while the timer checks: the action may re-arm for the rest of the window, after or during disposal.
        var reader = Task.Run(() =>
        {
            watch.Touch();
            watch.Touch();
        });
        var disposer = Task.Run(watch.Dispose);
        await Interleavings.JoinAsync(reader, disposer);
        await scheduler.DrainAsync();

        Specification.Assert(token.IsCancellationRequested == watch.Fired, $"cancelled {token.IsCancellationRequested}, fired {watch.Fired}");
        Specification.Assert(TokenSources.IsDisposed(token), "the token source was left undisposed");
    }, output);
}
