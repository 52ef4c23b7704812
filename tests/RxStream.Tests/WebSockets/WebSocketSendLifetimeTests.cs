using System.Net;
using System.Net.WebSockets;
using RxStream.Resilience;
using RxStream.Testing;
using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.WebSockets;

/// <summary>Sends that wait for an opening, and what ends that wait: in virtual time, against the testing kit's scripted server.</summary>
public sealed class WebSocketSendLifetimeTests
{
    private static readonly Uri Address = new("ws://chat.test/socket");
    private static readonly long Ms = TimeSpan.FromMilliseconds(1).Ticks;

    // Far longer than anything the clock advances in these tests: a send that fails here failed because its
    // subscription ended, not because it timed out.
    private static readonly TimeSpan LongSendTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task SendAsync_ReconnectGivesUpWhileTheSendWaits_FailsAtOnceTyped()
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler)
            .Enqueue(WebSocketScript.Accept().Drop(TimeSpan.FromMilliseconds(10)))
            .Enqueue(WebSocketScript.Refuse(HttpStatusCode.ServiceUnavailable));
        using var invoker = new HttpMessageInvoker(server);
        var socket = Socket(invoker, scheduler);
        var observer = new AsyncObserver<Chunk>();
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, MaxFailedAttempts = 2 };

        using var subscription = socket.Reconnect(options, scheduler).Subscribe(observer);
        scheduler.AdvanceBy(500 * Ms);
        var send = socket.SendAsync("hello").AsTask();
        scheduler.AdvanceBy(600 * Ms);

        Assert.Equal(2, server.Connections.Count);
        var ended = Assert.IsType<RxStream.Http.HttpStatusException>(await observer.Terminal.WaitAsync(AsyncObserver<Chunk>.Patience));
        var error = await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.Same(ended, error.InnerException);
        Assert.Equal(1100 * Ms, scheduler.Clock);
    }

    [Fact]
    public async Task SendAsync_ReconnectPolicyDeclinesATransientError_FailsAtOnceTyped()
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler)
            .Enqueue(WebSocketScript.Accept().Drop(TimeSpan.FromMilliseconds(10)))
            .Enqueue(WebSocketScript.Refuse(HttpStatusCode.ServiceUnavailable));
        using var invoker = new HttpMessageInvoker(server);
        var socket = Socket(invoker, scheduler);
        var observer = new AsyncObserver<Chunk>();
        var attempts = 0;

        // The policy, not the error's type, decides: the second error (a 503, transient) is declined.
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, ShouldReconnect = _ => ++attempts < 2 };

        using var subscription = socket.Reconnect(options, scheduler).Subscribe(observer);
        scheduler.AdvanceBy(500 * Ms);
        var send = socket.SendAsync("hello").AsTask();
        scheduler.AdvanceBy(600 * Ms);

        Assert.IsType<RxStream.Http.HttpStatusException>(await observer.Terminal.WaitAsync(AsyncObserver<Chunk>.Patience));
        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
    }

    [Fact]
    public async Task SendAsync_ReconnectDisposedBetweenAttempts_FailsAtOnceTyped()
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept().Drop(TimeSpan.FromMilliseconds(10)));
        using var invoker = new HttpMessageInvoker(server);
        var socket = Socket(invoker, scheduler);
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false };

        var subscription = socket.Reconnect(options, scheduler).Subscribe(new AsyncObserver<Chunk>());
        scheduler.AdvanceBy(500 * Ms);
        var send = socket.SendAsync("hello").AsTask();
        subscription.Dispose();

        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.Single(server.Connections);
        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => socket.SendAsync("later").AsTask());
    }

    [Fact]
    public async Task SendAsync_ReconnectStillRetrying_WaitsAndGoesOutOnTheNextConnection()
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler)
            .Enqueue(WebSocketScript.Accept().Drop(TimeSpan.FromMilliseconds(10)))
            .Enqueue(WebSocketScript.Accept());
        using var invoker = new HttpMessageInvoker(server);
        var socket = Socket(invoker, scheduler);
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, MaxFailedAttempts = 2 };

        using var subscription = socket.Reconnect(options, scheduler).Subscribe(new AsyncObserver<Chunk>());
        scheduler.AdvanceBy(500 * Ms);
        var send = socket.SendAsync("hello").AsTask();
        scheduler.AdvanceBy(600 * Ms);

        await send.WaitAsync(AsyncObserver<Chunk>.Patience);
        var second = await server.WaitForConnectionAsync(2);
        scheduler.AdvanceBy(Ms);
        Assert.Equal("hello", Assert.Single(second.Received).Text);
    }

    [Fact]
    public async Task SendAsync_PlainSubscriptionDisposedBeforeTheOpening_FailsAtOnceTyped()
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept());
        using var invoker = new HttpMessageInvoker(server);
        var socket = Socket(invoker, scheduler);

        var subscription = socket.Subscribe(new AsyncObserver<Chunk>());
        var send = socket.SendAsync("hello").AsTask();
        subscription.Dispose();

        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.Equal(0, scheduler.Clock);
    }

    private static WebSocketConnection Socket(HttpMessageInvoker invoker, TestScheduler scheduler) =>
        StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler, SendTimeout = LongSendTimeout });
}
