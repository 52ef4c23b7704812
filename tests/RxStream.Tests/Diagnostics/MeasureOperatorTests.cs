using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Diagnostics;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Diagnostics;

public class MeasureOperatorTests
{
    private const long T0 = TestScheduler.Subscribed;
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Measure_NullArguments_ThrowAtTheCall()
    {
        var stats = new Subject<StreamStatistics>();
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IObservable<int>)null!).Measure(stats)).ParamName);
        Assert.Equal("statistics", Assert.Throws<ArgumentNullException>(() => Observable.Empty<int>().Measure(null!)).ParamName);
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => Observable.Empty<int>().Measure(stats, null, null!)).ParamName);
        Assert.Equal("itemName", Assert.Throws<ArgumentNullException>(() => default(StreamStatistics).ToString(null!)).ParamName);
    }

    [Fact]
    public void Measure_ThreeChunks_PublishesASnapshotAtSubscribeEachItemAndTheEnd()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(
            OnNext(1 * Second, Chunk.Copy("ab"u8)),
            OnNext(3 * Second / 2, Chunk.Copy("cd"u8)),
            OnNext(2 * Second, Chunk.Copy("é"u8)),
            OnCompleted<Chunk>(3 * Second));
        var stats = scheduler.CreateObserver<StreamStatistics>();

        var observer = scheduler.Start(() => source.Measure(stats, null, scheduler), disposed: T0 + (10 * Second));

        Assert.Equal(3, observer.Values.Count);
        Assert.True(observer.Completed);
        Assert.Equal(
            [
                OnNext(T0, new StreamStatistics(S(0), null, 0, 0, 0, S(0), false)),
                OnNext(T0 + Second, new StreamStatistics(S(1), S(1), 1, 2, 0, S(0), false)),
                OnNext(T0 + (3 * Second / 2), new StreamStatistics(S(1.5), S(1), 2, 4, 0, S(0.5), false)),
                OnNext(T0 + (2 * Second), new StreamStatistics(S(2), S(1), 3, 6, 0, S(1), false)),
                OnNext(T0 + (3 * Second), new StreamStatistics(S(3), S(1), 3, 6, 0, S(1), true)),
            ],
            stats.Messages);
        Assert.Equal(2, stats.Values[^1].ItemsPerSecond);
        Assert.Equal([Subscribe(T0, T0 + (3 * Second))], source.Subscriptions);
    }

    [Fact]
    public void Measure_UnderReconnect_CountsTheReconnectsThePolicyReports()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(Second, "token"), OnError<string>(2 * Second, new IOException("drop")));
        var status = new Subject<ConnectionStatus>();
        var stats = scheduler.CreateObserver<StreamStatistics>();
        var options = new ReconnectOptions { BaseDelay = S(1), UseJitter = false, Status = status, BackoffResetThreshold = TimeSpan.Zero };

        // Attempts at 0, 3 s and 6 s (from the subscription) each drop 2 s after they start; the third reconnect is scheduled at 8 s.
        scheduler.Start(() => source.Reconnect(options, scheduler).Measure(stats, status, scheduler), disposed: T0 + (8 * Second) + 1);

        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], stats.Values.Select(s => s.Reconnects));
        Assert.Equal(new StreamStatistics(S(8) + TimeSpan.FromTicks(1), S(1), 3, 15, 3, S(6), true), stats.Values[^1]);
        Assert.Equal(1 / 3d, stats.Values[^1].ItemsPerSecond);
    }

    [Fact]
    public void Measure_Disposed_PublishesAFinalSnapshotAndNothingAfter()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(Second, 1), OnNext(5 * Second, 2));
        var status = new Subject<ConnectionStatus>();
        var stats = scheduler.CreateObserver<StreamStatistics>();

        var observer = scheduler.Start(() => source.Measure(stats, status, scheduler), disposed: T0 + (2 * Second));
        status.OnNext(new ConnectionStatus.Reconnecting(2, S(1), null));

        Assert.Equal([1], observer.Values);
        Assert.Equal(3, stats.Messages.Count);
        Assert.Equal(new StreamStatistics(S(2), S(1), 1, 0, 0, S(0), true), stats.Values[^1]);
        Assert.False(status.HasObservers);
        Assert.Equal([Subscribe(T0, T0 + (2 * Second))], source.Subscriptions);
    }

    [Fact]
    public void Measure_Error_PublishesTheLastSnapshotBeforeForwardingTheError()
    {
        var scheduler = new TestScheduler();
        var error = new IOException("drop");
        var log = new List<string>();
        var stats = System.Reactive.Observer.Create<StreamStatistics>(s => log.Add(s.Ended ? "ended" : "snapshot"));

        Observable.Return("x").Concat(Observable.Throw<string>(error)).Measure(stats, null, scheduler)
            .Subscribe(item => log.Add(item), e => log.Add(e.Message));

        Assert.Equal(["snapshot", "snapshot", "x", "ended", "drop"], log);
    }

    [Fact]
    public void Measure_SseEventsAndStrings_CountTheirDataInUtf8()
    {
        var scheduler = new TestScheduler();
        var events = scheduler.CreateObserver<StreamStatistics>();
        var strings = scheduler.CreateObserver<StreamStatistics>();
        var others = scheduler.CreateObserver<StreamStatistics>();

        Observable.Return(new RxStream.ServerSentEvents.SseEvent(null, "héllo")).Measure(events, null, scheduler).Subscribe();
        Observable.Return("🚀").Measure(strings, null, scheduler).Subscribe();
        Observable.Return(12345).Measure(others, null, scheduler).Subscribe();

        Assert.Equal(6, events.Values[^1].Bytes);
        Assert.Equal(4, strings.Values[^1].Bytes);
        Assert.Equal(0, others.Values[^1].Bytes);
    }

    [Fact]
    public void ToString_Snapshots_ReadAsAStatusBar()
    {
        Assert.Equal("0.8 s, no item yet", new StreamStatistics(S(0.8), null, 0, 0, 0, S(0), false).ToString());
        Assert.Equal("1.2 s to first item", new StreamStatistics(S(1.2), S(1.2), 1, 3, 0, S(0), false).ToString("item").Replace(" · 3 B", string.Empty, StringComparison.Ordinal));
        Assert.Equal("1.2 s to first token · 38 tokens/s · 4.1 kB · 1 reconnect", new StreamStatistics(S(2.2), S(1.2), 39, 4100, 1, S(1), true).ToString("token"));
        Assert.Equal("1.2 s to first item · 2 items/s · 12 B · 2 reconnects", new StreamStatistics(S(3), S(1.2), 3, 12, 2, S(1), true).ToString());
    }

    [Fact]
    public void ItemsPerSecond_FewerThanTwoItemsOrNoTime_IsNull()
    {
        Assert.Null(new StreamStatistics(S(1), S(1), 1, 0, 0, S(0), false).ItemsPerSecond);
        Assert.Null(new StreamStatistics(S(1), S(1), 5, 0, 0, S(0), false).ItemsPerSecond);
        Assert.Equal(4, new StreamStatistics(S(2), S(1), 5, 0, 0, S(1), false).ItemsPerSecond);
    }
}
