using System.Net;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using RxStream.WebSockets;

namespace RxStream.Testing.Tests;

public sealed class ScriptedWebSocketHandlerTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly Uri Address = new("ws://chat.test/socket");

    [Fact]
    public void Constructor_NullScheduler_Throws() =>
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => new ScriptedWebSocketHandler(null!)).ParamName);

    [Fact]
    public async Task WebSocket_MessagesAtTimesThenServerClose_ArriveAtTheirVirtualTimesAndComplete()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler)
            .Enqueue(WebSocketScript.Accept().SendText(10 * Ms, "hello").SendBinary(20 * Ms, new byte[] { 1, 2, 3 }).Close(30 * Ms));
        using var invoker = new HttpMessageInvoker(server);
        var seen = new List<(long Ms, Chunk Chunk)>();
        var completedAt = -1L;

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler })
            .Subscribe(c => seen.Add((scheduler.Now.ToUnixTimeMilliseconds(), c)), () => completedAt = scheduler.Now.ToUnixTimeMilliseconds());
        await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal(
            [(10L, Chunk.FromString("hello", ChunkKind.Text, endOfMessage: true)), (20L, Chunk.Copy([1, 2, 3], ChunkKind.Binary, endOfMessage: true))],
            seen);
        Assert.Equal(30L, completedAt);
    }

    [Fact]
    public async Task WebSocket_FramesInFrameMode_KeepTheScriptsFrameBoundaries()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept()
            .SendFrame(Ms, "ab"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false)
            .SendFrame(2 * Ms, "cd"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true));
        using var invoker = new HttpMessageInvoker(server);
        var seen = new List<Chunk>();

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler, FrameMode = true }).Subscribe(seen.Add);
        await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal([Chunk.FromString("ab", ChunkKind.Text, false), Chunk.FromString("cd", ChunkKind.Text, true)], seen);
    }

    [Fact]
    public async Task WebSocket_ServerClosesWithAnError_FailsWithThatCloseStatus()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept().Close(5 * Ms, WebSocketCloseStatus.InternalServerError, "boom"));
        using var invoker = new HttpMessageInvoker(server);
        Exception? error = null;

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler }).Subscribe(_ => { }, e => error = e);
        await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        var closed = Assert.IsType<WebSocketClosedException>(error);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, closed.CloseStatus);
    }

    [Fact]
    public async Task WebSocket_Drop_FailsAsAnAbnormalClosure()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept().SendText(Ms, "a").Drop(2 * Ms));
        using var invoker = new HttpMessageInvoker(server);
        Exception? error = null;

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler }).Subscribe(_ => { }, e => error = e);
        await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.IsType<WebSocketClosedException>(error);
    }

    [Fact]
    public async Task WebSocket_RefusedUpgrade_FailsWithTheHttpStatus()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Refuse(HttpStatusCode.Unauthorized));
        using var invoker = new HttpMessageInvoker(server);
        Exception? error = null;

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler }).Subscribe(_ => { }, e => error = e);
        await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, Assert.IsType<RxStream.Http.HttpStatusException>(error).StatusCode);
    }

    [Fact]
    public async Task WebSocket_ClientSendsAndDisposes_IsRecordedWithItsHeadersMessagesAndCloseFrame()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept());
        using var invoker = new HttpMessageInvoker(server);
        var socket = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler, Headers = [new("Authorization", "Bearer t")] });

        var subscription = socket.Subscribe(_ => { });
        var connection = await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(Ms);
        await socket.SendAsync("prompt");
        subscription.Dispose();
        scheduler.AdvanceBy(Ms);

        Assert.Equal("Bearer t", connection.Request.Header("Authorization"));
        var message = Assert.Single(connection.Received);
        Assert.Equal((WebSocketMessageType.Text, "prompt"), (message.Type, message.Text));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, connection.ClientCloseStatus);
    }
}
