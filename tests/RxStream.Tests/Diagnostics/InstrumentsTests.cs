using System.Reactive.Linq;
using RxStream.Diagnostics;
using RxStream.Resilience;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Diagnostics;

[Collection(TelemetryRecorder.Collection)]
public sealed class InstrumentsTests
{
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;

    [Fact]
    public void Reconnect_IdleErrorAndEnd_CountsEachReconnectWithItsReason()
    {
        using var telemetry = new TelemetryRecorder();
        var scheduler = new TestScheduler();
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, ReconnectOnCompleted = true };

        // Attempt 1 goes idle, 2 drops, 3 ends normally, 4 stays open until the subscription is disposed.
        var observer = scheduler.Start(
            () => StreamObservable.Reconnect(
                context => context.Attempt switch
                {
                    1 => Observable.Throw<int>(new IdleTimeoutException(TimeSpan.FromSeconds(5))),
                    2 => Observable.Throw<int>(new IOException("drop")),
                    3 => Observable.Empty<int>(),
                    _ => Observable.Never<int>(),
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        Assert.Empty(observer.Messages);
        var reconnects = telemetry.Of("rxstream.reconnects");
        Assert.Equal(["idle", "error", "end"], reconnects.Select(m => m.Tag("rxstream.reconnect.reason")));
        Assert.Equal([1d, 1d, 1d], reconnects.Select(m => m.Value));
    }

    [Fact]
    public void Reconnect_PolicyGivesUp_CountsNoReconnect()
    {
        using var telemetry = new TelemetryRecorder();
        var scheduler = new TestScheduler();
        var options = new ReconnectOptions { MaxFailedAttempts = 1 };

        var observer = scheduler.Start(() => Observable.Throw<int>(new IOException("drop")).Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Single(observer.Messages);
        Assert.Empty(telemetry.Of("rxstream.reconnects"));
    }
}
