using System.Net;
using System.Reactive;
using System.Reactive.Linq;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Resilience;

public class ReconnectTests
{
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;

    private static long[] Gaps<T>(TestableObservable<T> source) =>
        source.Subscriptions.Zip(source.Subscriptions.Skip(1), (previous, next) => next.Subscribe - previous.Unsubscribe).ToArray();

    [Fact]
    public void Reconnect_NullArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((IObservable<int>)null!)).ParamName);
        Assert.Equal("connect", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((Func<ReconnectContext, IObservable<int>>)null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxFailedAttempts = 0 });
    }

    [Fact]
    public void Defaults_AreThoseDocumented()
    {
        var options = new ReconnectOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxDelay);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxRetryAfter);
        Assert.True(options.UseJitter);
        Assert.Null(options.MaxFailedAttempts);
        Assert.False(options.ReconnectOnCompleted);
    }

    [Fact]
    public void Reconnect_RepeatedFailures_WaitsAnExponentialScheduleUpToTheCeiling()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4), UseJitter = false, Scheduler = scheduler };

        scheduler.Start(() => source.Reconnect(options), created: 0, subscribed: 0, disposed: 20 * Second);

        // Each attempt fails 10 ticks after it starts; the waits are 1, 2, 4, 4, 4, 4 s.
        Assert.Equal([Second, 2 * Second, 4 * Second, 4 * Second, 4 * Second, 4 * Second], Gaps(source));
    }

    [Fact]
    public void Reconnect_SeededJitter_SpreadsEachDelayIntoTheUpperHalf()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(0, new IOException("drop")));
        var draws = new Queue<double>([0.0, 0.5, 0.99]);
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(2), Randomizer = draws.Dequeue, MaxFailedAttempts = 4, Scheduler = scheduler };

        var observer = scheduler.Start(() => source.Reconnect(options), created: 0, subscribed: 0, disposed: 60 * Second);

        // 2 s × 0.5, then 4 s × 0.75, then 8 s × 0.995; the fourth failure gives up.
        Assert.Equal([Second, 3 * Second, (long)(8 * Second * 0.995)], Gaps(source));
        Assert.IsType<IOException>(observer.Error);
    }

    [Fact]
    public void Reconnect_ServerRetryAndRetryAfter_OverrideTheBackoff()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, Scheduler = scheduler, MaxFailedAttempts = 3 };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    attempts.Add(scheduler.Clock);
                    if (context.Attempt == 1)
                    {
                        context.SetRetryDelay(TimeSpan.FromMilliseconds(300));
                        return Observable.Throw<int>(new IOException("drop"));
                    }

                    return Observable.Throw<int>(new HttpStatusException(HttpStatusCode.TooManyRequests, "Too Many Requests", null, string.Empty, TimeSpan.FromSeconds(7)));
                },
                options),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        Assert.Equal([TimeSpan.FromMilliseconds(300).Ticks, 7 * Second], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Reconnect_ConnectionThatDeliveredData_ResetsTheAttemptCount()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>(10, new IOException("drop")));
        var options = new ReconnectOptions { UseJitter = false, Scheduler = scheduler, MaxFailedAttempts = 2 };

        var observer = scheduler.Start(() => source.Reconnect(options), created: 0, subscribed: 0, disposed: 10 * Second);

        // Every connection delivers an item, so the failures never add up and the delay stays at the base.
        Assert.Equal(10, source.Subscriptions.Count(s => s.Subscribe < 10 * Second) >= 9 ? 10 : 0);
        Assert.Equal(Second + 10, source.Subscriptions[1].Subscribe - source.Subscriptions[0].Subscribe);
        Assert.Equal(Second + 10, source.Subscriptions[5].Subscribe - source.Subscriptions[4].Subscribe);
        Assert.Null(observer.Error);
    }

    [Fact]
    public void Reconnect_FinalError_ReachesOnErrorWithoutAnotherAttempt()
    {
        var scheduler = new TestScheduler();
        var final = new HttpStatusException(HttpStatusCode.Unauthorized, "Unauthorized", "application/json", "{}", null);
        var source = scheduler.CreateColdObservable(OnError<int>(10, final));

        var observer = scheduler.Start(() => source.Reconnect(new ReconnectOptions { Scheduler = scheduler }));

        Assert.Single(source.Subscriptions);
        Assert.Same(final, observer.Error);
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(TimeoutException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(StreamLimitExceededException), false)]
    [InlineData(typeof(UnexpectedContentTypeException), false)]
    public void IsTransient_ByType_ClassifiesAsDocumented(Type type, bool transient)
    {
        var error = type == typeof(StreamLimitExceededException) ? new StreamLimitExceededException("MaxLineLength", 10, "bytes")
            : type == typeof(UnexpectedContentTypeException) ? new UnexpectedContentTypeException("text/event-stream", "text/html")
            : (Exception)Activator.CreateInstance(type, "x")!;
        Assert.Equal(transient, ReconnectOptions.IsTransient(error));
    }

    [Theory]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    public void IsTransient_HttpStatus_RetriesOnly408And429And5xx(int status, bool transient)
    {
        Assert.Equal(transient, ReconnectOptions.IsTransient(new HttpStatusException((HttpStatusCode)status, null, null, string.Empty, null)));
        Assert.Equal(transient, ReconnectOptions.IsTransient(new HttpRequestException("x", null, (HttpStatusCode)status)));
    }

    [Fact]
    public void Reconnect_NormalEnd_CompletesUnlessAskedToReconnect()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnCompleted<int>(10));

        var once = scheduler.Start(() => source.Reconnect(new ReconnectOptions { Scheduler = scheduler }));
        Assert.True(once.Completed);

        var again = new TestScheduler();
        var source2 = again.CreateColdObservable(OnNext(5, 1), OnCompleted<int>(10));
        again.Start(() => source2.Reconnect(new ReconnectOptions { Scheduler = again, ReconnectOnCompleted = true, UseJitter = false }), created: 0, subscribed: 0, disposed: 5 * Second);
        Assert.Equal(5, source2.Subscriptions.Count);
    }

    [Fact]
    public void Reconnect_DoNotReconnect_CompletesWhenTheAttemptEnds()
    {
        var scheduler = new TestScheduler();
        var attempts = 0;

        var observer = scheduler.Start(() => StreamObservable.Reconnect(
            context =>
            {
                attempts++;
                context.DoNotReconnect();
                return Observable.Empty<int>();
            },
            new ReconnectOptions { Scheduler = scheduler, ReconnectOnCompleted = true }));

        Assert.Equal(1, attempts);
        Assert.True(observer.Completed);
    }

    [Fact]
    public void Reconnect_DisposedDuringTheDelay_StartsNoFurtherAttempt()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));

        scheduler.Start(() => source.Reconnect(new ReconnectOptions { Scheduler = scheduler, UseJitter = false }), created: 0, subscribed: 0, disposed: Second / 2);
        scheduler.AdvanceBy(60 * Second);

        Assert.Single(source.Subscriptions);
    }

    [Fact]
    public void Reconnect_DisposedDuringAnAttempt_EndsThatAttemptsSubscriptionThen()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(100, 1), OnNext(5 * Second, 2));

        var observer = scheduler.Start(() => source.Reconnect(new ReconnectOptions { Scheduler = scheduler }), created: 0, subscribed: 0, disposed: Second);

        var only = Assert.Single(source.Subscriptions);
        Assert.Equal(Second - only.Subscribe, only.Unsubscribe - only.Subscribe);
        Assert.Equal([1], observer.Values);
    }

    [Fact]
    public void Reconnect_ObserverThrows_IsNeverRetriedAndTheExceptionTravelsUp()
    {
        var scheduler = new TestScheduler();
        var subscriptions = 0;
        var source = Observable.Create<int>(observer =>
        {
            subscriptions++;
            var thrown = Assert.Throws<InvalidOperationException>(() => observer.OnNext(1));
            Assert.Equal("subscriber bug", thrown.Message);
            return () => { };
        });
        var statuses = new List<ConnectionStatus>();

        source.Reconnect(new ReconnectOptions { Scheduler = scheduler, Status = Observer.Create<ConnectionStatus>(statuses.Add) })
            .Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        scheduler.AdvanceBy(60 * Second);

        Assert.Equal(1, subscriptions);
        Assert.IsType<ConnectionStatus.Closed>(statuses[^1]);
    }

    [Fact]
    public void Reconnect_Status_ReportsConnectingOpenReconnectingAndClosed()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { Scheduler = scheduler, UseJitter = false, MaxFailedAttempts = 2, Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var drop = new IOException("drop");

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    context.ReportOpen("200 OK");
                    return Observable.Throw<int>(drop);
                },
                options),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        Assert.Equal(
            [
                new ConnectionStatus.Connecting(1), new ConnectionStatus.Open(1, "200 OK"), new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(1), drop),
                new ConnectionStatus.Connecting(2), new ConnectionStatus.Open(2, "200 OK"), new ConnectionStatus.Closed(drop),
            ],
            statuses);
        Assert.Equal("reconnecting in 1 s (drop)", statuses[2].ToString());
    }

    [Fact]
    public void Reconnect_ThousandCyclesInVirtualTime_RunsThemAll()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(1, 7), OnError<int>(2, new IOException("drop")));

        var observer = scheduler.Start(
            () => source.Reconnect(new ReconnectOptions { Scheduler = scheduler, BaseDelay = TimeSpan.FromTicks(10), UseJitter = false }),
            created: 0,
            subscribed: 0,
            disposed: 12 * 1000);

        Assert.Equal(1000, source.Subscriptions.Count);
        Assert.Equal(1000, observer.Values.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reconnect_NextAttemptStartsBeforeItsTimerIsStored_IsNotCancelledByIt(bool immediate)
    {
        // With no delay the next attempt can start (on the scheduler's thread, or at once on the immediate
        // scheduler) before the failed attempt has stored the timer that started it; storing the timer must not
        // dispose the attempt already under way, or the sequence would wait for ever.
        const int Attempts = 2000;
        var subscriptions = 0;
        var source = Observable.Defer(() => Interlocked.Increment(ref subscriptions) < Attempts
            ? Observable.Throw<int>(new IOException("drop")).SubscribeOn(System.Reactive.Concurrency.TaskPoolScheduler.Default)
            : Observable.Return(42).SubscribeOn(System.Reactive.Concurrency.TaskPoolScheduler.Default));
        var observer = new AsyncObserver<int>();

        using var subscription = source.Reconnect(new ReconnectOptions
        {
            BaseDelay = TimeSpan.Zero,
            UseJitter = false,
            MaxFailedAttempts = null,
            Scheduler = immediate ? System.Reactive.Concurrency.ImmediateScheduler.Instance : null,
        }).Subscribe(observer);

        Assert.Equal([42], await observer.CompletedAsync());
        Assert.Equal(Attempts, subscriptions);
    }

    [Fact]
    public void IdleTimeout_Silence_FailsTransientAndActivityResetsTheClock()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(Second, 1), OnNext(3 * Second, 2), OnNext(9 * Second, 3));

        var observer = scheduler.Start(() => source.IdleTimeout(TimeSpan.FromSeconds(5), scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Equal([1, 2], observer.Values);
        var error = Assert.IsType<IdleTimeoutException>(observer.Error);
        Assert.True(error.IsTransient);
        var subscription = Assert.Single(source.Subscriptions);
        Assert.Equal(8 * Second, subscription.Unsubscribe - subscription.Subscribe);
        Assert.Equal(subscription.Unsubscribe, observer.Messages[^1].Time);
    }

    [Fact]
    public void IdleTimeout_UnderReconnect_ReplacesADeadConnection()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(Second, 1));

        scheduler.Start(
            () => source.IdleTimeout(TimeSpan.FromSeconds(2), scheduler).Reconnect(new ReconnectOptions { Scheduler = scheduler, UseJitter = false }),
            created: 0,
            subscribed: 0,
            disposed: 10 * Second);

        // Each connection sends one item at 1 s, then falls silent: dropped 2 s later, replaced 1 s after that.
        Assert.Equal(3, source.Subscriptions.Count);
        Assert.All(source.Subscriptions.Take(2), s => Assert.Equal(3 * Second, s.Unsubscribe - s.Subscribe));
        Assert.Equal([Second, Second], Gaps(source));
    }
}
