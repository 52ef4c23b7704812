using System.Net;
using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Resilience;

public class ReconnectTests
{
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;
    private static readonly long Millisecond = TimeSpan.FromMilliseconds(1).Ticks;

    // Subscribing "at 0" happens at 1: the test scheduler runs work due now one tick later, as Rx's does.
    private const long T0 = 1;

    private static long[] Gaps<T>(TestableObservable<T> source) =>
        source.Subscriptions.Zip(source.Subscriptions.Skip(1), (previous, next) => next.Subscribe - previous.Unsubscribe).ToArray();

    private static long[] Gaps(IReadOnlyList<long> starts) => starts.Zip(starts.Skip(1), (a, b) => b - a).ToArray();

    [Fact]
    public void Reconnect_NullArguments_ThrowAtTheCall()
    {
        var scheduler = new TestScheduler();
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((IObservable<int>)null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((IObservable<int>)null!, null, scheduler)).ParamName);
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => Observable.Never<int>().Reconnect(null, null!)).ParamName);
        Assert.Equal("connect", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((Func<ReconnectContext, IObservable<int>>)null!)).ParamName);
        Assert.Equal("connect", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect<int>((Func<ReconnectContext, IObservable<int>>)null!, null, scheduler)).ParamName);
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => StreamObservable.Reconnect(_ => Observable.Never<int>(), null, null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MinDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BackoffResetThreshold = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxFailedAttempts = 0 });
    }

    [Fact]
    public void Defaults_AreThoseDocumented()
    {
        var options = new ReconnectOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxDelay);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxRetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MinDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.BackoffResetThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(4294967294), ReconnectOptions.LongestDelay);
        Assert.True(options.UseJitter);
        Assert.Null(options.MaxFailedAttempts);
        Assert.False(options.ReconnectOnCompleted);
    }

    [Fact]
    public void Reconnect_RepeatedFailures_WaitsAnExponentialScheduleUpToTheCeiling()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4), UseJitter = false };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 20 * Second);

        // Each attempt fails 10 ticks after it starts; the waits are 1, 2, 4, 4, 4, 4 s; disposal finds a timer pending.
        Assert.Empty(observer.Messages);
        Assert.Equal(
            [
                Subscribe(T0, T0 + 10), Subscribe(T0 + Second + 10, T0 + Second + 20), Subscribe(T0 + (3 * Second) + 20, T0 + (3 * Second) + 30),
                Subscribe(T0 + (7 * Second) + 30, T0 + (7 * Second) + 40), Subscribe(T0 + (11 * Second) + 40, T0 + (11 * Second) + 50),
                Subscribe(T0 + (15 * Second) + 50, T0 + (15 * Second) + 60), Subscribe(T0 + (19 * Second) + 60, T0 + (19 * Second) + 70),
            ],
            source.Subscriptions);
    }

    [Fact]
    public void Reconnect_SeededJitter_OnlyLengthensEachDelayByUpToHalf()
    {
        var scheduler = new TestScheduler();
        var drop = new IOException("drop");
        var source = scheduler.CreateColdObservable(OnError<int>(0, drop));
        var draws = new Queue<double>([0.0, 0.5, 0.99]);
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(2), Randomizer = draws.Dequeue, MaxFailedAttempts = 4 };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        // 2 s × 1, then 4 s × 1.25, then 8 s × 1.495; the fourth failure gives up. (A cold message at 0 arrives one tick in.)
        Assert.Equal([2 * Second, 5 * Second, (long)(8 * Second * 1.495)], Gaps(source));
        var end = source.Subscriptions[^1].Unsubscribe;
        Assert.Equal([OnError<int>(end, drop)], observer.Messages);
        Assert.Equal(4, source.Subscriptions.Count);
    }

    [Fact]
    public void Reconnect_ServerRetryUnderJitter_IsAFloorNeverShortened()
    {
        var scheduler = new TestScheduler();
        var starts = new List<long>();
        var options = new ReconnectOptions { Randomizer = () => 0.0, MaxFailedAttempts = 2 };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    starts.Add(scheduler.Clock);
                    context.SetRetryDelay(TimeSpan.FromSeconds(3));
                    return Observable.Throw<int>(new IOException("drop"));
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        // The lowest draw of jitter still waits the server's full 3 s.
        Assert.Equal([3 * Second], Gaps(starts));
    }

    [Fact]
    public void Reconnect_ServerRetryAboveMaxDelay_IsObeyedInFull()
    {
        var scheduler = new TestScheduler();
        var starts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, MaxDelay = TimeSpan.FromSeconds(30), MaxFailedAttempts = 3 };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    starts.Add(scheduler.Clock);
                    context.SetRetryDelay(TimeSpan.FromSeconds(60));
                    return Observable.Throw<int>(new IOException("drop"));
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 3600 * Second);

        // MaxDelay bounds the client's own backoff, not a reconnection time the server asked for.
        Assert.Equal([60 * Second, 60 * Second], Gaps(starts));
    }

    [Fact]
    public void Reconnect_ServerRetryBeyondTheLongestDelay_NeverReconnects()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var subscriptions = 0;
        var options = new ReconnectOptions { ReconnectOnCompleted = true, Status = Observer.Create<ConnectionStatus>(statuses.Add) };

        var observer = scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    subscriptions++;
                    context.SetRetryDelay(TimeSpan.MaxValue);
                    return Observable.Empty<int>();
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: TimeSpan.FromDays(1000).Ticks);

        // "retry: 18446744073709551615": as a browser, wait for ever, until disposed.
        Assert.Equal(1, subscriptions);
        Assert.Empty(observer.Messages);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Reconnecting(2, TimeSpan.MaxValue, null), new ConnectionStatus.Closed(null)], statuses);
    }

    [Fact]
    public void Reconnect_RetryAfterAboveItsCeiling_WaitsTheCeiling()
    {
        var scheduler = new TestScheduler();
        var busy = new HttpStatusException(HttpStatusCode.ServiceUnavailable, "Service Unavailable", null, string.Empty, TimeSpan.FromHours(2));
        var source = scheduler.CreateColdObservable(OnError<int>(10, busy));
        var options = new ReconnectOptions { UseJitter = false, MaxRetryAfter = TimeSpan.FromMinutes(5) };

        scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 11 * 60 * Second);

        Assert.Equal([5 * 60 * Second, 5 * 60 * Second], Gaps(source));
    }

    [Fact]
    public void Reconnect_RetryAfterZeroForEver_BacksOffFromTheFloor()
    {
        var scheduler = new TestScheduler();
        var busy = new HttpStatusException(HttpStatusCode.ServiceUnavailable, "Service Unavailable", null, string.Empty, TimeSpan.Zero);
        var source = scheduler.CreateColdObservable(OnError<int>(10, busy));
        var options = new ReconnectOptions { UseJitter = false };

        scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 120 * Second);

        // Retry-After is a floor, not a replacement for the backoff: 0 s asks for nothing more than the backoff's 1, 2, 4 ... s.
        Assert.Equal(new long[] { 1, 2, 4, 8, 16, 30, 30 }.Select(s => s * Second), Gaps(source));
    }

    [Fact]
    public void Reconnect_ServerSaysRetryZeroAndClosesForEver_BacksOffFromTheMinimumDelay()
    {
        var scheduler = new TestScheduler();
        var starts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, ReconnectOnCompleted = true };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    starts.Add(scheduler.Clock);
                    context.ReportOpen();
                    context.SetRetryDelay(TimeSpan.Zero);
                    return Observable.Empty<int>();
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 130 * Second);

        // The floor (0.5 s) is the base, and a connection that closes at once never resets the backoff.
        Assert.Equal(new long[] { 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 }.Select(ms => ms * Millisecond), Gaps(starts));
    }

    [Fact]
    public void Reconnect_OneEventPerConnectionThenClose_KeepsBackingOff()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnCompleted<int>(10));
        var options = new ReconnectOptions { UseJitter = false, ReconnectOnCompleted = true };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 20 * Second);

        // Data alone does not make a connection a success: these last 10 ticks, far below the 60 s threshold.
        Assert.Equal(
            [Subscribe(T0, T0 + 10), Subscribe(T0 + Second + 10, T0 + Second + 20), Subscribe(T0 + (3 * Second) + 20, T0 + (3 * Second) + 30), Subscribe(T0 + (7 * Second) + 30, T0 + (7 * Second) + 40), Subscribe(T0 + (15 * Second) + 40, T0 + (15 * Second) + 50)],
            source.Subscriptions);
        Assert.Equal([OnNext(T0 + 5, 1), OnNext(T0 + Second + 15, 1), OnNext(T0 + (3 * Second) + 25, 1), OnNext(T0 + (7 * Second) + 35, 1), OnNext(T0 + (15 * Second) + 45, 1)], observer.Messages);
    }

    [Theory]
    [InlineData(59, new long[] { 1, 2, 4 })]
    [InlineData(60, new long[] { 1, 1, 1 })]
    public void Reconnect_ConnectionOpenForTheResetThreshold_StartsTheBackoffAfresh(int secondsOpen, long[] gapSeconds)
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>((secondsOpen * Second) + 5, new IOException("drop")));
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 4 };

        scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 300 * Second);

        // Open from its first item (5 ticks in) to its drop: 59 s is too short to count as a success, 60 s is enough.
        Assert.Equal(gapSeconds.Select(s => s * Second), Gaps(source).Take(3));
    }

    [Fact]
    public void Reconnect_ServerRetryAndRetryAfter_AreFloorsOfTheBackoff()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 3 };

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
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        // 300 ms is below the 0.5 s floor; then Retry-After's 7 s is above the backoff's 1 s.
        Assert.Equal([500 * Millisecond, 7 * Second], Gaps(attempts));
    }

    [Fact]
    public void Reconnect_FinalError_ReachesOnErrorWithoutAnotherAttempt()
    {
        var scheduler = new TestScheduler();
        var final = new HttpStatusException(HttpStatusCode.Unauthorized, "Unauthorized", "application/json", "{}", null);
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>(10, final));

        var observer = scheduler.Start(() => source.Reconnect(new ReconnectOptions(), scheduler));

        Assert.Equal([OnNext(205, 1), OnError<int>(210, final)], observer.Messages);
        Assert.Equal([Subscribe(200, 210)], source.Subscriptions);
    }

    [Fact]
    public void Reconnect_CustomShouldReconnectRetriesWhatTheDefaultCallsFinal()
    {
        var scheduler = new TestScheduler();
        var final = new HttpStatusException(HttpStatusCode.Unauthorized, "Unauthorized", null, string.Empty, null);
        var source = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>(10, final));
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 2, ShouldReconnect = e => e is HttpStatusException { StatusCode: HttpStatusCode.Unauthorized } };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Equal([Subscribe(T0, T0 + 10), Subscribe(T0 + Second + 10, T0 + Second + 20)], source.Subscriptions);
        Assert.Equal([OnNext(T0 + 5, 1), OnNext(T0 + Second + 15, 1), OnError<int>(T0 + Second + 20, final)], observer.Messages);
    }

    [Fact]
    public void Reconnect_CustomShouldReconnectRefusesWhatTheDefaultRetries()
    {
        var scheduler = new TestScheduler();
        var drop = new IOException("drop");
        var seen = new List<Exception>();
        var source = scheduler.CreateColdObservable(OnError<int>(10, drop));
        var options = new ReconnectOptions { ShouldReconnect = e => { seen.Add(e); return false; } };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.True(ReconnectOptions.IsTransient(drop));
        Assert.Equal([drop], seen);
        Assert.Equal([Subscribe(T0, T0 + 10)], source.Subscriptions);
        Assert.Equal([OnError<int>(T0 + 10, drop)], observer.Messages);
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

        var once = scheduler.Start(() => source.Reconnect(new ReconnectOptions(), scheduler));
        Assert.Equal([OnNext(205, 1), OnCompleted<int>(210)], once.Messages);
        Assert.Equal([Subscribe(200, 210)], source.Subscriptions);

        var again = new TestScheduler();
        var source2 = again.CreateColdObservable(OnNext(5, 1), OnCompleted<int>(10));
        var options = new ReconnectOptions { ReconnectOnCompleted = true, UseJitter = false, BackoffResetThreshold = TimeSpan.Zero };
        var repeated = again.Start(() => source2.Reconnect(options, again), created: 0, subscribed: 0, disposed: 3 * Second);
        Assert.Equal([Subscribe(T0, T0 + 10), Subscribe(T0 + Second + 10, T0 + Second + 20), Subscribe(T0 + (2 * Second) + 20, T0 + (2 * Second) + 30)], source2.Subscriptions);
        Assert.Equal([OnNext(T0 + 5, 1), OnNext(T0 + Second + 15, 1), OnNext(T0 + (2 * Second) + 25, 1)], repeated.Messages);
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
            new ReconnectOptions { ReconnectOnCompleted = true },
            scheduler));

        Assert.Equal(1, attempts);
        Assert.Equal([OnCompleted<int>(200)], observer.Messages);
    }

    [Fact]
    public void Reconnect_DisposedDuringTheDelay_StartsNoFurtherAttempt()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));

        var observer = scheduler.Start(() => source.Reconnect(new ReconnectOptions { UseJitter = false }, scheduler), created: 0, subscribed: 0, disposed: Second / 2);
        scheduler.AdvanceBy(60 * Second);

        Assert.Equal([Subscribe(T0, T0 + 10)], source.Subscriptions);
        Assert.Empty(observer.Messages);
    }

    [Fact]
    public void Reconnect_DisposedDuringAnAttempt_EndsThatAttemptsSubscriptionThen()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(100, 1), OnNext(5 * Second, 2));

        var observer = scheduler.Start(() => source.Reconnect(new ReconnectOptions(), scheduler), created: 0, subscribed: 0, disposed: Second);

        Assert.Equal([Subscribe(T0, Second)], source.Subscriptions);
        Assert.Equal([OnNext(T0 + 100, 1)], observer.Messages);
    }

    [Fact]
    public void Reconnect_NotificationsOfAnOldAttemptAfterTheNextStarted_AreIgnored()
    {
        var scheduler = new TestScheduler();
        var drop = new IOException("drop");
        var statuses = new List<ConnectionStatus>();
        var attempts = new List<ReconnectContext>();
        var options = new ReconnectOptions { UseJitter = false, MinDelay = TimeSpan.Zero, BaseDelay = TimeSpan.FromTicks(100), Status = Observer.Create<ConnectionStatus>(statuses.Add) };

        // The first connection ignores its disposal: after its error, it still delivers, reports and ends.
        var observer = scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    attempts.Add(context);
                    return context.Attempt == 1
                        ? Observable.Create<int>(o =>
                        {
                            scheduler.ScheduleRelative(default(object), 10, (_, _) => { o.OnError(drop); return Disposable.Empty; });
                            scheduler.ScheduleRelative(default(object), 200, (_, _) =>
                            {
                                o.OnNext(99);
                                context.ReportOpen("stale");
                                context.SetRetryDelay(TimeSpan.FromHours(1));
                                o.OnCompleted();
                                return Disposable.Empty;
                            });
                            return Disposable.Empty;
                        })
                        : scheduler.CreateColdObservable(OnNext(50, 2), OnNext(150, 3), OnError<int>(200, drop));
                },
                options,
                scheduler),
            created: 0,
            subscribed: 0,
            disposed: 520);

        // Attempt 2 starts at 111; the stale 99, its Open and its retry of an hour at 201 are ignored, so attempt 2's
        // drop at 311 is followed by the backoff's 200 ticks, not by an hour.
        Assert.Equal([OnNext(T0 + 160, 2), OnNext(T0 + 260, 3)], observer.Messages);
        Assert.Equal(3, attempts.Count);
        Assert.DoesNotContain(statuses, s => s is ConnectionStatus.Open);
        Assert.Equal(new ConnectionStatus.Reconnecting(3, TimeSpan.FromTicks(200), drop), statuses[^3]);
    }

    [Fact]
    public void Reconnect_ObserverThrows_IsNeverRetriedAndTheExceptionTravelsUp()
    {
        var scheduler = new TestScheduler();
        var subscriptions = 0;
        Exception? thrown = null;
        var source = Observable.Create<int>(observer =>
        {
            subscriptions++;
            try
            {
                observer.OnNext(1);
            }
            catch (Exception e)
            {
                // Recorded, not asserted here: Rx would route a failed assertion to OnError, which nobody sees.
                thrown = e;
            }

            return () => { };
        });
        var statuses = new List<ConnectionStatus>();

        source.Reconnect(new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(statuses.Add) }, scheduler)
            .Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        scheduler.AdvanceBy(60 * Second);

        Assert.Equal("subscriber bug", Assert.IsType<InvalidOperationException>(thrown).Message);
        Assert.Equal(1, subscriptions);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null)], statuses);
    }

    [Fact]
    public void Reconnect_Status_ReportsConnectingOpenReconnectingAndClosed()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 2, Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var drop = new IOException("drop");

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    context.ReportOpen("200 OK");
                    return Observable.Throw<int>(drop);
                },
                options,
                scheduler),
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
    public void Reconnect_OperatorsBetweenTheSourceAndReconnect_KeepTheOpenStatus()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 2, Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var drop = new IOException("drop");

        // A source of one's own that reports its opening, as Fetch, EventSource and WebSocket do.
        var source = Observable.Create<int>(observer =>
        {
            var attempt = ReconnectContext.Current;
            return scheduler.ScheduleRelative(default(object), 10, (_, _) =>
            {
                attempt?.ReportOpen("200 OK");
                observer.OnError(drop);
                return Disposable.Empty;
            });
        });

        scheduler.Start(() => source.Select(x => x * 2).Where(x => x > 0).IdleTimeout(TimeSpan.FromSeconds(5), scheduler).Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Equal(
            [
                new ConnectionStatus.Connecting(1), new ConnectionStatus.Open(1, "200 OK"), new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(1), drop),
                new ConnectionStatus.Connecting(2), new ConnectionStatus.Open(2, "200 OK"), new ConnectionStatus.Closed(drop),
            ],
            statuses);
        Assert.Null(ReconnectContext.Current);
    }

    [Fact]
    public void Reconnect_SourceSubscribedInResponseToAnItem_IsNotPartOfTheAttempt()
    {
        var scheduler = new TestScheduler();
        var seen = new List<ReconnectContext?>();

        // Return emits while Reconnect is still subscribing; what the observer subscribes then must not see the attempt.
        Observable.Return(1, ImmediateScheduler.Instance)
            .Reconnect(new ReconnectOptions(), scheduler)
            .Subscribe(_ => seen.Add(ReconnectContext.Current));

        Assert.Equal([null], seen);
    }

    [Fact]
    public void Reconnect_DisposedWhileDecidingToReconnect_ReportsNothingAfterClosed()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        IDisposable? subscription = null;
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));
        var options = new ReconnectOptions
        {
            Status = Observer.Create<ConnectionStatus>(statuses.Add),
            ShouldReconnect = _ =>
            {
                // The user disposes from inside the policy's decision: the decision loses.
                subscription!.Dispose();
                return true;
            },
        };

        subscription = source.Reconnect(options, scheduler).Subscribe(_ => { });
        scheduler.AdvanceBy(60 * Second);

        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null)], statuses);
        Assert.Equal([Subscribe(0, 10)], source.Subscriptions);
    }

    [Fact]
    public async Task Reconnect_DisposeRacingTheEndAndAnotherDispose_ReportsClosedOnceLastAndNeverConcurrently()
    {
        // Bounded: 2,000 rounds, each a source error (which reconnects), and two disposals on three threads at once.
        const int Rounds = 2000;
        var closedCounts = new List<int>();
        var violations = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var inside = 0;
            var statuses = new List<ConnectionStatus>();
            var status = Observer.Create<ConnectionStatus>(s =>
            {
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                statuses.Add(s);
                Interlocked.Decrement(ref inside);
            });
            var subject = new System.Reactive.Subjects.Subject<int>();
            var subscription = subject.Reconnect(new ReconnectOptions { MinDelay = TimeSpan.Zero, BaseDelay = TimeSpan.Zero, UseJitter = false, Status = status }, ImmediateScheduler.Instance)
                .Subscribe(_ => { }, _ => { });
            using var start = new Barrier(3);
            var racers = new[]
            {
                Task.Run(() => { start.SignalAndWait(); subject.OnError(new IOException("drop")); }),
                Task.Run(() => { start.SignalAndWait(); subscription.Dispose(); }),
                Task.Run(() => { start.SignalAndWait(); subscription.Dispose(); }),
            };
            await Task.WhenAll(racers);

            closedCounts.Add(statuses.Count(s => s is ConnectionStatus.Closed));
            if (statuses[^1] is not ConnectionStatus.Closed)
            {
                Interlocked.Increment(ref violations);
            }
        }

        Assert.All(closedCounts, count => Assert.Equal(1, count));
        Assert.Equal(0, violations);
    }

    [Fact]
    public void Reconnect_ThousandCyclesInVirtualTime_RunsThemAll()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(1, 7), OnError<int>(2, new IOException("drop")));
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromTicks(10), MinDelay = TimeSpan.Zero, BackoffResetThreshold = TimeSpan.Zero, UseJitter = false };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 12 * 1000);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => Subscribe(T0 + (i * 12L), T0 + (i * 12L) + 2)), source.Subscriptions);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => OnNext(T0 + (i * 12L) + 1, 7)), observer.Messages);
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
            ? Observable.Throw<int>(new IOException("drop")).SubscribeOn(TaskPoolScheduler.Default)
            : Observable.Return(42).SubscribeOn(TaskPoolScheduler.Default));
        var observer = new AsyncObserver<int>();
        var options = new ReconnectOptions { BaseDelay = TimeSpan.Zero, MinDelay = TimeSpan.Zero, UseJitter = false };

        using var subscription = (immediate ? source.Reconnect(options, ImmediateScheduler.Instance) : source.Reconnect(options)).Subscribe(observer);

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
        Assert.Equal([Subscribe(T0, T0 + (8 * Second))], source.Subscriptions);
        Assert.Equal(T0 + (8 * Second), observer.Messages[^1].Time);
    }

    [Fact]
    public void IdleTimeout_UnderReconnect_ReplacesADeadConnection()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(Second, 1));

        var observer = scheduler.Start(
            () => source.IdleTimeout(TimeSpan.FromSeconds(2), scheduler).Reconnect(new ReconnectOptions { UseJitter = false }, scheduler),
            created: 0,
            subscribed: 0,
            disposed: 10 * Second);

        // Each connection sends one item at 1 s, then falls silent: dropped 2 s later, replaced 1 s, then 2 s, after that.
        Assert.Equal([Subscribe(T0, T0 + (3 * Second)), Subscribe(T0 + (4 * Second), T0 + (7 * Second)), Subscribe(T0 + (9 * Second), 10 * Second)], source.Subscriptions);
        Assert.Equal([OnNext(T0 + Second, 1), OnNext(T0 + (5 * Second), 1)], observer.Messages);
    }
}
