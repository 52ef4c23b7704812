using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reactive;
using System.Reactive.Disposables;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Resilience;

/// <summary>Pins the Reconnect behaviour that mutation testing found unpinned (see docs/mutation.md).</summary>
public class ReconnectMutationTests
{
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;

    [Fact]
    public void ReconnectOptions_NegativeDelays_ThrowAndZeroIsAccepted()
    {
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxDelay = TimeSpan.FromTicks(-1) }).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxRetryAfter = TimeSpan.FromTicks(-1) }).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BaseDelay = TimeSpan.FromTicks(-1) }).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxFailedAttempts = -1 }).ParamName);
        Assert.StartsWith("The delay cannot be negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxDelay = TimeSpan.FromTicks(-1) }).Message);
        Assert.StartsWith("The delay cannot be negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxRetryAfter = TimeSpan.FromTicks(-1) }).Message);
        Assert.StartsWith("The delay cannot be negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BaseDelay = TimeSpan.FromTicks(-1) }).Message);
        Assert.StartsWith("The limit must be positive.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MaxFailedAttempts = 0 }).Message);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MinDelay = TimeSpan.FromTicks(-1) }).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BackoffResetThreshold = TimeSpan.FromTicks(-1) }).ParamName);
        Assert.StartsWith("The delay cannot be negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { MinDelay = TimeSpan.FromTicks(-1) }).Message);
        Assert.StartsWith("The threshold cannot be negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectOptions { BackoffResetThreshold = TimeSpan.FromTicks(-1) }).Message);

        var zero = new ReconnectOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero, MaxRetryAfter = TimeSpan.Zero, MinDelay = TimeSpan.Zero, BackoffResetThreshold = TimeSpan.Zero, MaxFailedAttempts = 1 };
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 1), (zero.BaseDelay, zero.MaxDelay, zero.MaxRetryAfter, zero.MinDelay, zero.BackoffResetThreshold, zero.MaxFailedAttempts));
        Assert.Null(new ReconnectOptions { MaxFailedAttempts = null }.MaxFailedAttempts);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, true)]
    [InlineData(HttpRequestError.NameResolutionError, true)]
    [InlineData(HttpRequestError.ResponseEnded, true)]
    [InlineData(HttpRequestError.Unknown, true)]
    [InlineData(HttpRequestError.SecureConnectionError, false)]
    [InlineData(HttpRequestError.UserAuthenticationError, false)]
    [InlineData(HttpRequestError.ConfigurationLimitExceeded, false)]
    [InlineData(HttpRequestError.InvalidResponse, false)]
    public void IsTransient_HttpRequestErrorWithoutStatus_RetriesOnlyWhatAnotherAttemptCanFix(HttpRequestError kind, bool transient)
    {
        Assert.Equal(transient, ReconnectOptions.IsTransient(new HttpRequestException(kind, "failed")));
    }

    [Fact]
    public void IsTransient_SocketAndWebSocketErrors_AreTransient()
    {
        Assert.True(ReconnectOptions.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(ReconnectOptions.IsTransient(new WebSocketException(WebSocketError.ConnectionClosedPrematurely)));
        Assert.True(ReconnectOptions.IsTransient(new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway)));
        Assert.False(ReconnectOptions.IsTransient(new HttpRequestException("not found", null, HttpStatusCode.NotFound)));
    }

    [Fact]
    public void Reconnect_NullObserver_ThrowsAtSubscribe()
    {
        var connects = 0;
        var source = StreamObservable.Reconnect(_ => { connects++; return System.Reactive.Linq.Observable.Never<int>(); });

        Assert.Equal("observer", Assert.Throws<ArgumentNullException>(() => source.Subscribe((IObserver<int>)null!)).ParamName);
        Assert.Equal(0, connects);
    }

    [Fact]
    public void Reconnect_ConnectFunctionThrows_IsThatAttemptsErrorAndDecidedLikeOne()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var transient = new IOException("no route");
        var final = new InvalidOperationException("bad configuration");
        var options = new ReconnectOptions { UseJitter = false, Status = Observer.Create<ConnectionStatus>(statuses.Add) };

        var observer = scheduler.Start(
            () => StreamObservable.Reconnect<int>(context => throw (context.Attempt == 1 ? transient : final), options, scheduler),
            created: 0,
            subscribed: 0,
            disposed: 60 * Second);

        Assert.Equal([OnError<int>(1 + Second, final)], observer.Messages);
        Assert.Equal(
            [new ConnectionStatus.Connecting(1), new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(1), transient), new ConnectionStatus.Connecting(2), new ConnectionStatus.Closed(final)],
            statuses);
    }

    [Fact]
    public void Reconnect_FinalError_ReportsClosedLastAndNothingAfterIt()
    {
        var scheduler = new TestScheduler();
        var statuses = new List<ConnectionStatus>();
        var final = new InvalidOperationException("not transient");
        var source = scheduler.CreateColdObservable(OnError<int>(10, final));
        var options = new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(statuses.Add) };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Equal([Subscribe(1, 11)], source.Subscriptions);
        Assert.Equal([OnError<int>(11, final)], observer.Messages);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(final)], statuses);
    }

    [Fact]
    public void Reconnect_RetryAfterAboveItsCeiling_WaitsOnlyTheCeiling()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 3, MaxRetryAfter = TimeSpan.FromSeconds(10) };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                _ =>
                {
                    attempts.Add(scheduler.Clock);
                    return System.Reactive.Linq.Observable.Throw<int>(new HttpStatusException(HttpStatusCode.ServiceUnavailable, "Service Unavailable", null, string.Empty, TimeSpan.FromHours(1)));
                },
                options, scheduler),
            created: 0,
            subscribed: 0,
            disposed: 3600 * Second);

        Assert.Equal([10 * Second, 10 * Second], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Reconnect_ServerRetryAboveMaxDelay_IsWaitedInFullAndNotDoubled()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 4, MaxDelay = TimeSpan.FromSeconds(4) };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    attempts.Add(scheduler.Clock);
                    context.SetRetryDelay(TimeSpan.FromSeconds(60));
                    return System.Reactive.Linq.Observable.Throw<int>(new IOException("drop"));
                },
                options, scheduler),
            created: 0,
            subscribed: 0,
            disposed: 3600 * Second);

        // The server's reconnection time beats MaxDelay, and backoff stops at it rather than doubling past it.
        Assert.Equal([60 * Second, 60 * Second, 60 * Second], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Reconnect_WithoutJitter_NeverDrawsFromTheRandomizer()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnError<int>(10, new IOException("drop")));
        var options = new ReconnectOptions { UseJitter = false, Randomizer = () => throw new InvalidOperationException("drawn"), MaxFailedAttempts = 3 };

        var observer = scheduler.Start(() => source.Reconnect(options, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.IsType<IOException>(observer.Error);
        Assert.Equal(3, source.Subscriptions.Count);
    }

    [Fact]
    public void Reconnect_CustomShouldReconnect_OverridesTheDefaultBothWays()
    {
        var scheduler = new TestScheduler();
        var notTransient = new InvalidOperationException("the default gives up on this");
        var transient = new IOException("the default retries this");
        var source = scheduler.CreateColdObservable(OnError<int>(10, notTransient));
        var retried = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 3, ShouldReconnect = e => e is InvalidOperationException };

        var observer = scheduler.Start(() => source.Reconnect(retried, scheduler), created: 0, subscribed: 0, disposed: 60 * Second);

        // The scheduler starts at tick 0 and subscribes at tick 1; each attempt fails 10 ticks after it starts.
        Assert.Equal([Subscribe(1, 11), Subscribe(11 + Second, 21 + Second), Subscribe(21 + (3 * Second), 31 + (3 * Second))], source.Subscriptions);
        Assert.Equal([OnError<int>(31 + (3 * Second), notTransient)], observer.Messages);

        var second = new TestScheduler();
        var failing = second.CreateColdObservable(OnError<int>(10, transient));
        var refused = new ReconnectOptions { ShouldReconnect = e => e is InvalidOperationException };

        var refusedObserver = second.Start(() => failing.Reconnect(refused, second), created: 0, subscribed: 0, disposed: 60 * Second);

        Assert.Equal([Subscribe(1, 11)], failing.Subscriptions);
        Assert.Equal([OnError<int>(11, transient)], refusedObserver.Messages);
    }

    [Fact]
    public void Reconnect_NotificationsFromAnOldAttempt_AreIgnoredOnceANewOneStarted()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var values = new List<int>();
        Exception? error = null;
        var completed = false;
        var drop = new IOException("drop");

        using var subscription = StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(values.Add, e => error = e, () => completed = true);
        source.Observers[0].OnError(drop);
        scheduler.AdvanceBy(Second);
        Assert.Equal(2, source.Observers.Count);

        // The first attempt's connection speaks again, late: none of it may reach the stream or its status.
        source.Contexts[0].ReportOpen("late");
        source.Observers[0].OnNext(99);
        source.Observers[0].OnError(new IOException("late"));
        source.Observers[0].OnCompleted();
        scheduler.AdvanceBy(60 * Second);

        source.Contexts[1].ReportOpen("200 OK");
        source.Observers[1].OnNext(2);

        Assert.Equal([2], values);
        Assert.Null(error);
        Assert.False(completed);
        Assert.Equal(2, source.Observers.Count);
        Assert.Equal(
            [new ConnectionStatus.Connecting(1), new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(1), drop), new ConnectionStatus.Connecting(2), new ConnectionStatus.Open(2, "200 OK")],
            statuses);
    }

    [Fact]
    public void Reconnect_NotificationsAfterDisposal_AreIgnoredAndClosedIsReportedOnce()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var values = new List<int>();
        Exception? error = null;

        var subscription = StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(values.Add, e => error = e);
        source.Observers[0].OnNext(1);
        subscription.Dispose();
        subscription.Dispose();
        source.Contexts[0].ReportOpen("late");
        source.Observers[0].OnNext(2);
        source.Observers[0].OnError(new IOException("late"));
        scheduler.AdvanceBy(60 * Second);

        Assert.Equal([1], values);
        Assert.Null(error);
        Assert.Single(source.Observers);
        Assert.True(source.Disposed[0].IsDisposed);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null)], statuses);
    }

    [Fact]
    public void Reconnect_ObserverThrows_TheExceptionReachesTheCallerAndNothingReconnects()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var bug = new InvalidOperationException("subscriber bug");

        StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(_ => throw bug, _ => { });

        // Asserted here, outside any Observable.Create, so a swallowed exception fails the test instead of becoming an OnError.
        Assert.Same(bug, Assert.Throws<InvalidOperationException>(() => source.Observers[0].OnNext(1)));
        scheduler.AdvanceBy(60 * Second);

        Assert.Single(source.Observers);
        Assert.True(source.Disposed[0].IsDisposed);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null)], statuses);
    }

    [Fact]
    public void Reconnect_ServerRetryAboveMaxDelayUnderJitter_IsLengthenedByTheDraw()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { Randomizer = () => 0.5, MaxFailedAttempts = 2, MaxDelay = TimeSpan.FromSeconds(4) };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    attempts.Add(scheduler.Clock);
                    context.SetRetryDelay(TimeSpan.FromSeconds(60));
                    return System.Reactive.Linq.Observable.Throw<int>(new IOException("drop"));
                },
                options, scheduler),
            created: 0,
            subscribed: 0,
            disposed: 3600 * Second);

        // The server's 60 s replaces MaxDelay as the ceiling, so jitter (a quarter at a draw of 0.5) lengthens it too:
        // clients the server sent away together do not all come back at once.
        Assert.Equal([75 * Second], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Reconnect_DelayOfExactlyTheLongestDelay_IsWaited()
    {
        var scheduler = new TestScheduler();
        var attempts = new List<long>();
        var options = new ReconnectOptions { UseJitter = false, MaxFailedAttempts = 2 };

        scheduler.Start(
            () => StreamObservable.Reconnect(
                context =>
                {
                    attempts.Add(scheduler.Clock);
                    context.SetRetryDelay(ReconnectOptions.LongestDelay);
                    return System.Reactive.Linq.Observable.Throw<int>(new IOException("drop"));
                },
                options, scheduler),
            created: 0,
            subscribed: 0,
            disposed: TimeSpan.FromDays(100).Ticks);

        // Only a delay longer than the longest a timer waits means never (Reconnect_ServerRetryBeyondTheLongestDelay_NeverReconnects).
        Assert.Equal([ReconnectOptions.LongestDelay.Ticks], attempts.Zip(attempts.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Reconnect_TimerAlreadyStartedWhenDisposed_ConnectsNoMore()
    {
        // Its timers cannot be stopped once scheduled: the reconnect timer has started on another thread by the time
        // the subscription is disposed.
        var scheduler = new ManualTimerScheduler();
        var connects = 0;
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var notifications = 0;

        var subscription = StreamObservable.Reconnect(
                _ =>
                {
                    connects++;
                    return System.Reactive.Linq.Observable.Throw<int>(new IOException("drop"));
                },
                options, scheduler)
            .Subscribe(_ => notifications++, _ => notifications++, () => notifications++);
        Assert.Equal([TimeSpan.FromSeconds(1)], scheduler.DueTimes);

        subscription.Dispose();
        scheduler.Run(0);

        Assert.Equal(1, connects);
        Assert.Equal(0, notifications);
        Assert.Equal(new ConnectionStatus.Closed(null), statuses[^1]);
        Assert.Single(statuses, s => s is ConnectionStatus.Connecting);
    }

    [Fact]
    public void Reconnect_DisposedWhileDecidingOnTheError_DeliversNothing()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        IDisposable? subscription = null;
        var options = new ReconnectOptions
        {
            Status = Observer.Create<ConnectionStatus>(statuses.Add),

            // The user's decision disposes the subscription (say, on a shutdown it checks) and gives up.
            ShouldReconnect = _ =>
            {
                subscription!.Dispose();
                return false;
            },
        };
        Exception? error = null;
        var completed = false;

        subscription = StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(_ => { }, e => error = e, () => completed = true);
        source.Observers[0].OnError(new IOException("drop"));
        scheduler.AdvanceBy(60 * Second);

        // Disposed first: the error that lost the race is not delivered, and Closed tells of the disposal.
        Assert.Null(error);
        Assert.False(completed);
        Assert.Single(source.Observers);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Closed(null)], statuses);
    }

    [Fact]
    public void Reconnect_OpenReportedAgain_BackoffResetIsMeasuredFromTheFirstOpen()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, BackoffResetThreshold = TimeSpan.FromSeconds(60), Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var drop = new IOException("drop");

        using var subscription = StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(_ => { }, _ => { });
        source.Observers[0].OnError(drop);
        scheduler.AdvanceBy(Second);
        source.Contexts[1].ReportOpen("200 OK");
        scheduler.AdvanceBy(50 * Second);
        source.Contexts[1].ReportOpen("again");
        scheduler.AdvanceBy(20 * Second);
        source.Observers[1].OnError(drop);

        // Open for 70 s since its first Open: a success, so the backoff starts afresh at 1 s instead of doubling.
        Assert.Equal(new ConnectionStatus.Reconnecting(3, TimeSpan.FromSeconds(1), drop), statuses[^1]);
    }

    [Fact]
    public void Reconnect_ItemsAfterTheFirst_BackoffResetIsMeasuredFromTheFirstItem()
    {
        var scheduler = new TestScheduler();
        var source = new RawSource();
        var statuses = new List<ConnectionStatus>();
        var options = new ReconnectOptions { UseJitter = false, BackoffResetThreshold = TimeSpan.FromSeconds(60), Status = Observer.Create<ConnectionStatus>(statuses.Add) };
        var drop = new IOException("drop");

        using var subscription = StreamObservable.Reconnect(context => source.Attempt(context), options, scheduler).Subscribe(_ => { }, _ => { });
        source.Observers[0].OnError(drop);
        scheduler.AdvanceBy(Second);
        source.Observers[1].OnNext(1);
        scheduler.AdvanceBy(50 * Second);
        source.Observers[1].OnNext(2);
        scheduler.AdvanceBy(20 * Second);
        source.Observers[1].OnError(drop);

        // Open for 70 s since its first item (it never reported Open): a success, so the backoff starts afresh.
        Assert.Equal(new ConnectionStatus.Reconnecting(3, TimeSpan.FromSeconds(1), drop), statuses[^1]);
    }

    // Hands the operator's own observer of each attempt to the test, with no Rx safe-guard in between, so a test can
    // make an ended attempt speak again.
    private sealed class RawSource
    {
        public List<IObserver<int>> Observers { get; } = [];

        public List<ReconnectContext> Contexts { get; } = [];

        public List<BooleanDisposable> Disposed { get; } = [];

        public IObservable<int> Attempt(ReconnectContext context)
        {
            Contexts.Add(context);
            return new Connection(this);
        }

        private sealed class Connection(RawSource owner) : IObservable<int>
        {
            public IDisposable Subscribe(IObserver<int> observer)
            {
                owner.Observers.Add(observer);
                var disposable = new BooleanDisposable();
                owner.Disposed.Add(disposable);
                return disposable;
            }
        }
    }
}
