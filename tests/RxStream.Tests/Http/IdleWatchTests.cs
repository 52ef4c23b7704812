using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using RxStream.Http;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

public sealed class IdleWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void IdleWatch_SilentForTheTimeout_CancelsTheToken()
    {
        var scheduler = new TestScheduler();
        using var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        scheduler.AdvanceTo(Timeout.Ticks - 1);
        Assert.False(watch.Token.IsCancellationRequested);

        scheduler.AdvanceTo(Timeout.Ticks);
        Assert.True(watch.Token.IsCancellationRequested);
        Assert.True(watch.Fired);
    }

    [Fact]
    public void IdleWatch_Touched_CancelsOnlyAfterAWholeSilentWindow()
    {
        var scheduler = new TestScheduler();
        using var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        scheduler.AdvanceTo(TimeSpan.FromMilliseconds(700).Ticks);
        watch.Touch();
        scheduler.AdvanceTo(TimeSpan.FromMilliseconds(1699).Ticks);
        Assert.False(watch.Token.IsCancellationRequested);

        scheduler.AdvanceTo(TimeSpan.FromMilliseconds(1700).Ticks);
        Assert.True(watch.Fired);
    }

    [Fact]
    public void IdleWatch_ConnectionTokenCancelled_CancelsTheTokenWithoutFiring()
    {
        var scheduler = new TestScheduler();
        using var connection = new CancellationTokenSource();
        using var watch = new IdleWatch(scheduler, Timeout, connection.Token);

        connection.Cancel();

        Assert.True(watch.Token.IsCancellationRequested);
        Assert.False(watch.Fired);
    }

    [Fact]
    public void IdleWatch_DisposedBeforeTheTimeout_NeverFiresAndReleasesItsSource()
    {
        var scheduler = new TestScheduler();
        var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        watch.Dispose();
        scheduler.AdvanceTo(Timeout.Ticks * 5);

        Assert.False(watch.Fired);
        Assert.False(watch.Token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => watch.Token.WaitHandle);
    }

    [Fact]
    public void IdleWatch_WallClockJumpsForward_MeasuresSilenceOnTheStopwatch()
    {
        var virtualTime = new TestScheduler();
        var scheduler = new JumpingClockScheduler(virtualTime);
        using var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        virtualTime.AdvanceTo(TimeSpan.FromMilliseconds(900).Ticks);
        watch.Touch();

        // The machine's clock is set an hour ahead: no time has passed for the stream.
        scheduler.Jump = TimeSpan.FromHours(1);
        virtualTime.AdvanceTo(TimeSpan.FromMilliseconds(1899).Ticks);
        Assert.False(watch.Fired);

        virtualTime.AdvanceTo(TimeSpan.FromMilliseconds(1900).Ticks);
        Assert.True(watch.Fired);
    }

    [Fact]
    public void IdleWatch_DisposedAfterTheTimerActionStarted_DoesNotCancelAndNothingEscapes()
    {
        var scheduler = new ManualScheduler();
        var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        // The action has started (it reads the clock first) when the connection ends and disposes the watch.
        scheduler.OnClockRead = watch.Dispose;
        Assert.True(scheduler.RunNext());

        Assert.False(watch.Fired);
        Assert.False(watch.Token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => watch.Token.WaitHandle);
        Assert.Equal(0, scheduler.Pending);
    }

    [Fact]
    public void IdleWatch_DisposedWhileTheTimerActionCancels_TheActionReleasesTheSourceAfterCancelling()
    {
        var scheduler = new ManualScheduler();
        var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        // The cancellation itself ends the connection, which disposes the watch from inside Cancel.
        using var registration = watch.Token.Register(watch.Dispose);
        Assert.True(scheduler.RunNext());

        Assert.True(watch.Fired);
        Assert.True(watch.Token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => watch.Token.WaitHandle);
    }

    [Fact]
    public void IdleWatch_DisposedAfterItFired_ReleasesTheSourceOnce()
    {
        var scheduler = new ManualScheduler();
        var watch = new IdleWatch(scheduler, Timeout, CancellationToken.None);

        Assert.True(scheduler.RunNext());
        watch.Dispose();
        watch.Dispose();

        Assert.True(watch.Fired);
        Assert.Throws<ObjectDisposedException>(() => watch.Token.WaitHandle);
    }

    [Fact]
    public async Task EventSource_IdleTimerAlreadyRunningWhenTheStreamEnds_NothingEscapesOnTheSchedulerThread()
    {
        var scheduler = new ManualScheduler();
        var body = new Pipe();
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(body.Reader.AsStream()) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
        })));
        var observer = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions { IdleTimeout = Timeout, Scheduler = scheduler, Reconnect = null };

        using var subscription = StreamObservable.EventSource(client, new Uri("http://127.0.0.1/events"), options).Subscribe(observer);
        await body.Writer.WriteAsync("data: a\n\n"u8.ToArray());
        await observer.FirstValue.WaitAsync(AsyncObserver<SseEvent>.Patience);

        // The idle timer is due and starts (its first step reads the clock); right then the server ends the body, and
        // the attempt completes and releases everything before the timer action goes on.
        scheduler.OnClockRead = () =>
        {
            body.Writer.Complete();
            Assert.True(observer.Terminal.Wait(AsyncObserver<SseEvent>.Patience));
        };
        var exception = Record.Exception(() => scheduler.RunNext());

        Assert.Null(exception);
        Assert.Null(await observer.Terminal);
        Assert.Equal("a", Assert.Single(observer.Values).Data);
    }

    /// <summary>Reads virtual time, with a clock that can be set forward like a machine's while its stopwatch keeps counting.</summary>
    private sealed class JumpingClockScheduler(TestScheduler inner) : IScheduler, IServiceProvider, IStopwatchProvider
    {
        public TimeSpan Jump { get; set; }

        public DateTimeOffset Now => inner.Now + Jump;

        public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) => inner.Schedule(state, (_, s) => action(this, s));

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) => inner.Schedule(state, dueTime, (_, s) => action(this, s));

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) => inner.Schedule(state, dueTime - Jump, (_, s) => action(this, s));

        public IStopwatch StartStopwatch() => inner.StartStopwatch();

        public object? GetService(Type serviceType) => serviceType == typeof(IStopwatchProvider) ? this : null;
    }
}
