using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.WebSockets;

public sealed class WebSocketTests : IAsyncLifetime
{
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _clientClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _tornSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private int _pushConnections;
    private int _jsonConnections;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.Map("/echo", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[4096];
                for (var i = 0; i < 1000; i++)
                {
                    var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _clientClosed.TrySetResult(result.CloseStatus);
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        return;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
                }
            });
            app.Map("/push", async (HttpContext context) =>
            {
                var connection = Interlocked.Increment(ref _pushConnections);
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                for (var i = 0; i < 100; i++)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text, true, context.RequestAborted);
                }

                // A message in three frames, then a binary one.
                await socket.SendAsync("par"u8.ToArray(), WebSocketMessageType.Text, false, context.RequestAborted);
                await socket.SendAsync("ts o"u8.ToArray(), WebSocketMessageType.Text, false, context.RequestAborted);
                await socket.SendAsync("f one"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, context.RequestAborted);
                if (context.Request.Query.ContainsKey("drop") && connection == 1)
                {
                    context.Abort();
                    return;
                }

                var status = context.Request.Query.ContainsKey("policy") ? WebSocketCloseStatus.PolicyViolation : WebSocketCloseStatus.NormalClosure;
                await socket.CloseAsync(status, "bye", context.RequestAborted);
            });
            app.Map("/json", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var connection = Interlocked.Increment(ref _jsonConnections);
                for (var n = 0; n < 3; n++)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"n":{{(connection * 10) + n}},"text":"tök {{n}}"}"""), WebSocketMessageType.Text, true, context.RequestAborted);
                }

                if (connection == 1)
                {
                    // The first connection drops before the answer ends; the second one finishes it.
                    context.Abort();
                    return;
                }

                await socket.SendAsync("[DONE]"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.SendAsync("never read"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                var close = await socket.ReceiveAsync(new byte[16], context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(10));
                _clientClosed.TrySetResult(close.CloseStatus);
            });
            app.Map("/locked", (HttpContext context) => Results.Json(new { error = "no token" }, statusCode: 401));
            app.Map("/busy", (HttpContext context) =>
            {
                context.Response.Headers.RetryAfter = "7";
                return Results.StatusCode(503);
            });
            app.Map("/torn", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.SendAsync("first"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.SendAsync("half of a mess"u8.ToArray(), WebSocketMessageType.Text, false, context.RequestAborted);

                // Drop the connection in the middle of the message, once the client has what it can have of it.
                await _tornSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
                context.Abort();
            });
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void WebSocket_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("uri", Assert.Throws<ArgumentNullException>(() => StreamObservable.WebSocket(null!)).ParamName);
        Assert.Equal("uri", Assert.Throws<ArgumentException>(() => StreamObservable.WebSocket(new Uri("http://127.0.0.1/"))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketConnectOptions { MaxMessageSize = 0 });
    }

    [Fact]
    public async Task WebSocket_ServerPushesAndClosesNormally_AssemblesFramesAndCompletesWithTheStatus()
    {
        var socket = StreamObservable.WebSocket(Ws("/push"));
        var observer = new AsyncObserver<Chunk>();

        using var subscription = socket.Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(102, chunks.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i}"), chunks.Take(100).Select(c => c.GetString()));
        Assert.Equal("parts of one", chunks[100].GetString());
        Assert.All(chunks.Take(101), c => Assert.Equal(ChunkKind.Text, c.Kind));
        Assert.Equal(ChunkKind.Binary, chunks[101].Kind);
        Assert.All(chunks, c => Assert.True(c.IsEndOfMessage));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task WebSocket_FrameMode_YieldsEachFrameWithEndOfMessage()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/push"), new WebSocketConnectOptions { FrameMode = true }).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(["par", "ts o", "f one"], chunks.Skip(100).Take(3).Select(c => c.GetString()));
        Assert.Equal([false, false, true], chunks.Skip(100).Take(3).Select(c => c.IsEndOfMessage));
    }

    [Fact]
    public async Task WebSocket_ServerClosesWithPolicyViolation_FailsFinalWithStatusAndReason()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/push?policy=1")).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketClosedException>();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, error.CloseStatus);
        Assert.Equal("bye", error.CloseStatusDescription);
        Assert.False(error.IsTransient);
        Assert.Equal(102, observer.Values.Count);
    }

    [Fact]
    public async Task WebSocket_MessageOverTheLimit_FailsTyped()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/push"), new WebSocketConnectOptions { MaxMessageSize = 8 }).Subscribe(observer);

        var error = await observer.FailedAsync<StreamLimitExceededException>();
        Assert.Equal(8, error.Limit);
        Assert.Equal(100, observer.Values.Count);
    }

    [Fact]
    public async Task WebSocket_Echo_SendsAreSerializedAndDisposalIsACleanClose()
    {
        var socket = StreamObservable.WebSocket(Ws("/echo"), new WebSocketConnectOptions { OnOpen = _ => { } });
        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => socket.SendAsync("too early").AsTask());
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fiftyEchoes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var echoed = 0;
        var echoes = new AsyncObserver<Chunk> { OnNextHook = _ => { if (Interlocked.Increment(ref echoed) == 50) fiftyEchoes.TrySetResult(); } };
        var subscription = StreamObservable.WebSocket(Ws("/echo"), new WebSocketConnectOptions { OnOpen = _ => opened.TrySetResult() });
        var connection = subscription.Subscribe(echoes);
        await opened.Task.WaitAsync(AsyncObserver<Chunk>.Patience);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => subscription.SendAsync($"hello {i}").AsTask()));
        await fiftyEchoes.Task.WaitAsync(AsyncObserver<Chunk>.Patience);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"hello {i}").Order(), echoes.Values.Select(c => c.GetString()).Order());
        connection.Dispose();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await _clientClosed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WebSocket_ServerDropsTheConnection_IsTransientAndReconnectResumes()
    {
        var observer = new AsyncObserver<Chunk>();
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(10), UseJitter = false };

        using var subscription = StreamObservable.WebSocket(Ws("/push?drop=1")).Reconnect(options).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        // An abort resets the TCP connection, which may discard what the client had not read yet; the second
        // connection's messages all arrive, after whatever the first delivered.
        Assert.Equal(2, _pushConnections);
        Assert.InRange(chunks.Count, 102, 204);
        Assert.Equal("m0", chunks[^102].GetString());
    }

    [Fact]
    public async Task WebSocket_ServerAbortsMidMessage_FailsTransientWithoutEmittingThePart()
    {
        var observer = new AsyncObserver<Chunk> { OnNextHook = chunk => _tornSeen.TrySetResult() };

        using var subscription = StreamObservable.WebSocket(Ws("/torn")).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketClosedException>();
        Assert.True(error.IsTransient);
        Assert.Null(error.CloseStatus);
        Assert.Equal(["first"], observer.Values.Select(c => c.GetString()));
    }

    [Fact]
    public async Task WebSocket_FrameModeServerAbortsMidMessage_EmitsTheFrameWithoutEndOfMessageThenFails()
    {
        var observer = new AsyncObserver<Chunk> { OnNextHook = chunk => { if (!chunk.IsEndOfMessage) _tornSeen.TrySetResult(); } };

        using var subscription = StreamObservable.WebSocket(Ws("/torn"), new WebSocketConnectOptions { FrameMode = true }).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketClosedException>();
        Assert.True(error.IsTransient);
        Assert.Equal(["first", "half of a mess"], observer.Values.Select(c => c.GetString()));
        Assert.Equal([true, false], observer.Values.Select(c => c.IsEndOfMessage));
    }

    [Fact]
    public async Task WebSocket_WithReconnectSentinelAndJson_ComposesLikeAnyOtherSourceAndClosesCleanly()
    {
        var statuses = new AsyncObserver<ConnectionStatus>();
        var observer = new AsyncObserver<Delta>();
        var options = new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(10), UseJitter = false, Status = statuses };

        using var subscription = StreamObservable.WebSocket(Ws("/json"))
            .Reconnect(options)
            .TakeUntilSentinel(message => message.GetString() == "[DONE]")
            .DeserializeJson<Delta>()
            .Subscribe(observer);
        var deltas = await observer.CompletedAsync();

        // The drop may lose what the first connection had not delivered yet; the second connection's all arrive.
        Assert.Equal([20, 21, 22], deltas.TakeLast(3).Select(d => d.N));
        Assert.Equal("tök 2", deltas[^1].Text);
        Assert.Equal(2, _jsonConnections);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await _clientClosed.Task.WaitAsync(AsyncObserver<Chunk>.Patience));
        // The first connection may drop before or after its handshake completes; either way it is retried, and the
        // second one reports its opening.
        Assert.Contains(statuses.Values, status => status is ConnectionStatus.Reconnecting { Attempt: 2 });
        Assert.Contains(statuses.Values, status => status is ConnectionStatus.Open { Attempt: 2 });
    }

    [Fact]
    public void DeserializeJson_BadMessageOrAFrame_FailsTypedAfterTheGoodOnes()
    {
        Chunk Message(string text) => Chunk.Copy(Encoding.UTF8.GetBytes(text), ChunkKind.Text, endOfMessage: true);

        var (values, error, _) = Chunking.Run([Message("""{"n":1}"""), Message("""{"n":"two"}""")], s => s.DeserializeJson<Delta>());
        Assert.Equal([1], values.Select(d => d.N));
        var payload = Assert.IsType<RxStream.Json.JsonPayloadException>(error);
        Assert.Equal(RxStream.Json.JsonPayloadOrigin.Message, payload.Origin);
        Assert.Equal("message 2", payload.Location);
        Assert.Equal("""{"n":"two"}""", payload.PayloadPreview);

        (_, error, _) = Chunking.Run([Chunk.Copy("""{"n":1}"""u8)], s => s.DeserializeJson<Delta>());
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal("messages", Assert.Throws<ArgumentNullException>(() => ((IObservable<Chunk>)null!).DeserializeJson<Delta>()).ParamName);
    }

    public sealed record Delta(int N, string? Text);

    [Fact]
    public async Task WebSocket_UpgradeRefusedWith401_FailsFinalWithTheStatusNotAsADrop()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/locked")).Reconnect(new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(10) }).Subscribe(observer);

        var error = await observer.FailedAsync<RxStream.Http.HttpStatusException>();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task WebSocket_UpgradeRefusedWith503_IsTransientAndCarriesRetryAfter()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/busy")).Subscribe(observer);

        var error = await observer.FailedAsync<RxStream.Http.HttpStatusException>();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task WebSocket_NothingListening_FailsWithTheTransportsTransientError()
    {
        var observer = new AsyncObserver<Chunk>();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var subscription = StreamObservable.WebSocket(new Uri($"ws://127.0.0.1:{port}/")).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketException>();
        Assert.True(ReconnectOptions.IsTransient(error));
    }

    [Fact]
    public async Task WebSocket_ThousandConnectDisposeCycles_LeaveNoConnectionOpen()
    {
        for (var cycle = 0; cycle < 1000; cycle++)
        {
            var observer = new AsyncObserver<Chunk>();
            var subscription = StreamObservable.WebSocket(Ws("/echo")).Subscribe(observer);
            if (cycle % 2 == 0)
            {
                await Task.Yield();
            }

            subscription.Dispose();
        }

        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(15));
    }

    private Uri Ws(string path) => new(_server.Url(path).ToString().Replace("http://", "ws://", StringComparison.Ordinal));
}
