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
    private readonly TaskCompletionSource _acceptSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _flakyRequests;
    private int _goingAwayConnections;
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
            app.Map("/closing", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);

                // Close at once, so that the client's disposal (on the first message) races the close frame.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                using var linger = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                linger.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    await socket.ReceiveAsync(new byte[16], linger.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                {
                }
            });
            app.Map("/badutf8", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.SendAsync("ok"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);

                // "é" cut after its first byte, then "(": not UTF-8 (RFC 3629), sent as a text message.
                await socket.SendAsync(new byte[] { 0xC3, 0x28 }, WebSocketMessageType.Text, true, context.RequestAborted);
                var close = await socket.ReceiveAsync(new byte[16], context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(10));
                _clientClosed.TrySetResult(close.CloseStatus);
            });
            app.Map("/slow", async (HttpContext context) =>
            {
                // Holds the handshake until the test lets it go (or for at most 10 s), then echoes.
                await _acceptSlow.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await EchoAsync(socket, context.RequestAborted);
            });
            app.Map("/flaky", async (HttpContext context) =>
            {
                if (Interlocked.Increment(ref _flakyRequests) == 1)
                {
                    context.Response.StatusCode = 503;
                    return;
                }

                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await EchoAsync(socket, context.RequestAborted);
            });
            app.Map("/goingaway", async (HttpContext context) =>
            {
                var connection = Interlocked.Increment(ref _goingAwayConnections);
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.SendAsync(Encoding.UTF8.GetBytes($"c{connection}"), WebSocketMessageType.Text, true, context.RequestAborted);

                // The first connection goes away, as a server does on a restart; the second ends the stream.
                var status = connection == 1 ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure;
                await socket.CloseAsync(status, "restarting", context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(10));
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
        WebSocketSession? session = null;
        var socket = StreamObservable.WebSocket(Ws("/push"), new WebSocketConnectOptions { OnOpen = opened => session = opened });
        var observer = new AsyncObserver<Chunk>();

        using var subscription = socket.Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(102, chunks.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i}"), chunks.Take(100).Select(c => c.GetString()));
        Assert.Equal("parts of one", chunks[100].GetString());
        Assert.All(chunks.Take(101), c => Assert.Equal(ChunkKind.Text, c.Kind));
        Assert.Equal(ChunkKind.Binary, chunks[101].Kind);
        Assert.All(chunks, c => Assert.True(c.IsEndOfMessage));
        Assert.NotNull(session);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, session.CloseStatus);
        Assert.Equal("bye", session.CloseStatusDescription);
        Assert.False(session.IsOpen);
        Assert.True(session.IsEnded);
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
    public async Task SendAsync_RightAfterSubscribe_WaitsForTheOpeningAndGoesOutInOrderAfterOnOpensSend()
    {
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var counting = new AsyncObserver<Chunk> { OnNextHook = chunk => { received.Enqueue(chunk.GetString()); if (received.Count == 21) all.TrySetResult(); } };
        var socket = StreamObservable.WebSocket(Ws("/echo"), new WebSocketConnectOptions { OnOpen = session => _ = session.SendAsync("greeting").AsTask() });

        using var subscription = socket.Subscribe(counting);
        var sends = Enumerable.Range(0, 20).Select(i => socket.SendAsync($"m{i}").AsTask()).ToArray();
        await Task.WhenAll(sends).WaitAsync(AsyncObserver<Chunk>.Patience);
        await all.Task.WaitAsync(AsyncObserver<Chunk>.Patience);

        Assert.Equal(["greeting", .. Enumerable.Range(0, 20).Select(i => $"m{i}")], received);
    }

    [Fact]
    public async Task SendAsync_Arguments_AreCheckedAtTheCall()
    {
        var socket = StreamObservable.WebSocket(Ws("/echo"));

        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => socket.SendAsync((string)null!)).ParamName);
        Assert.Equal("messageType", Assert.Throws<ArgumentOutOfRangeException>(() => socket.SendAsync(new byte[1], WebSocketMessageType.Close)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketConnectOptions { SendTimeout = TimeSpan.Zero });
        Assert.Equal(TimeSpan.FromSeconds(30), new WebSocketConnectOptions().SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), new WebSocketConnectOptions().CloseTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, new WebSocketConnectOptions { SendTimeout = Timeout.InfiniteTimeSpan }.SendTimeout);
        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => socket.SendAsync("nothing subscribed").AsTask());
    }

    [Fact]
    public async Task SendAsync_SubscriptionEndsBeforeTheOpening_FailsTypedWithTheReason()
    {
        var observer = new AsyncObserver<Chunk>();
        var socket = StreamObservable.WebSocket(Ws("/locked"));

        using var subscription = socket.Subscribe(observer);
        var send = socket.SendAsync("hello").AsTask();

        var error = await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.IsType<RxStream.Http.HttpStatusException>(error.InnerException);
        await observer.FailedAsync<RxStream.Http.HttpStatusException>();
        var late = await Assert.ThrowsAsync<WebSocketNotOpenException>(() => socket.SendAsync("later").AsTask());
        Assert.Same(error.InnerException, late.InnerException);
    }

    [Fact]
    public async Task SendAsync_CancelledWhileWaitingForTheOpening_ThrowsAndTheOthersStillGoInOrder()
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = new AsyncObserver<Chunk> { OnNextHook = chunk => { received.Enqueue(chunk.GetString()); if (received.Count == 2) both.TrySetResult(); } };
        var socket = StreamObservable.WebSocket(Ws("/slow"));
        using var cancel = new CancellationTokenSource();

        using var subscription = socket.Subscribe(observer);
        var one = socket.SendAsync("one").AsTask();
        var two = socket.SendAsync("two", cancel.Token).AsTask();
        var three = socket.SendAsync("three").AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => two.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.False(one.IsCompleted);
        _acceptSlow.TrySetResult();
        await Task.WhenAll(one, three).WaitAsync(AsyncObserver<Chunk>.Patience);
        await both.Task.WaitAsync(AsyncObserver<Chunk>.Patience);

        Assert.Equal(["one", "three"], received);
    }

    [Fact]
    public async Task SendAsync_NoOpeningWithinTheSendTimeout_FailsTypedOnTheOptionsScheduler()
    {
        var scheduler = new TestScheduler();
        var socket = StreamObservable.WebSocket(Ws("/slow"), new WebSocketConnectOptions { SendTimeout = TimeSpan.FromSeconds(5), Scheduler = scheduler });
        var subscription = socket.Subscribe(new AsyncObserver<Chunk>());
        try
        {
            var send = socket.SendAsync("hello").AsTask();
            scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks - 1);
            Assert.False(send.IsCompleted);

            scheduler.AdvanceBy(1);

            var error = await Assert.ThrowsAsync<WebSocketNotOpenException>(() => send.WaitAsync(AsyncObserver<Chunk>.Patience));
            Assert.Contains("send timeout (5 s)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            subscription.Dispose();
            _acceptSlow.TrySetResult();
        }
    }

    [Fact]
    public async Task WebSocket_TwoSubscriptions_EachHasItsOwnSessionAndSendsGoToTheNewest()
    {
        var sessions = new System.Collections.Concurrent.BlockingCollection<WebSocketSession>();
        var socket = StreamObservable.WebSocket(Ws("/echo"), new WebSocketConnectOptions { OnOpen = sessions.Add });
        var first = new AsyncObserver<Chunk>();
        var second = new AsyncObserver<Chunk>();

        var firstSubscription = socket.Subscribe(first);
        var firstSession = await Task.Run(() => sessions.Take()).WaitAsync(AsyncObserver<Chunk>.Patience);
        using var secondSubscription = socket.Subscribe(second);
        var secondSession = await Task.Run(() => sessions.Take()).WaitAsync(AsyncObserver<Chunk>.Patience);
        firstSubscription.Dispose();

        Assert.True(firstSession.IsEnded);
        Assert.False(firstSession.IsOpen);
        Assert.True(secondSession.IsOpen);
        await Assert.ThrowsAsync<WebSocketNotOpenException>(() => firstSession.SendAsync("too late").AsTask());
        await socket.SendAsync("to the second");
        await second.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience);
        Assert.Equal(["to the second"], second.Values.Select(c => c.GetString()));
        Assert.Empty(first.Values);
    }

    [Fact]
    public async Task SendAsync_FirstAttemptRefusedUnderReconnect_GoesOutOnTheNextConnection()
    {
        var observer = new AsyncObserver<Chunk>();
        var socket = StreamObservable.WebSocket(Ws("/flaky"));

        using var subscription = socket.Reconnect(new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(10), UseJitter = false }).Subscribe(observer);
        await socket.SendAsync("hello").AsTask().WaitAsync(AsyncObserver<Chunk>.Patience);
        await observer.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience);

        Assert.Equal(2, _flakyRequests);
        Assert.Equal(["hello"], observer.Values.Select(c => c.GetString()));
    }

    [Fact]
    public async Task WebSocket_ServerGoesAwayWith1001_FailsTransientWithTheStatus()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/goingaway")).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketClosedException>();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, error.CloseStatus);
        Assert.Equal("restarting", error.CloseStatusDescription);
        Assert.True(error.IsTransient);
        Assert.Equal(["c1"], observer.Values.Select(c => c.GetString()));
    }

    [Fact]
    public async Task WebSocket_ServerGoesAwayWith1001UnderReconnect_ConnectsAgainUntilANormalClose()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/goingaway")).Reconnect(new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(10), UseJitter = false }).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(["c1", "c2"], chunks.Select(c => c.GetString()));
        Assert.Equal(2, _goingAwayConnections);
    }

    [Fact]
    public async Task WebSocket_TextMessageNotUtf8_ClosesWith1007AndFailsSayingSo()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws("/badutf8")).Subscribe(observer);

        var error = await observer.FailedAsync<WebSocketClosedException>();
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, error.CloseStatus);
        Assert.False(error.IsTransient);
        Assert.Contains("1007", error.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Equal(["ok"], observer.Values.Select(c => c.GetString()));
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await _clientClosed.Task.WaitAsync(AsyncObserver<Chunk>.Patience));
    }

    [Fact]
    public async Task WebSocket_DisposalRacesTheServersClose_LeavesNoUnobservedTaskException()
    {
        const int Races = 300;
        var unobserved = 0;
        void Count(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            // Other tests run beside this one: count only what a WebSocket left behind.
            if (e.Exception.Flatten().InnerExceptions.Any(x => x is WebSocketException or ObjectDisposedException || x.StackTrace?.Contains("WebSocket", StringComparison.Ordinal) == true))
            {
                Interlocked.Increment(ref unobserved);
            }
        }

        TaskScheduler.UnobservedTaskException += Count;
        try
        {
            for (var race = 0; race < Races; race++)
            {
                var observer = new AsyncObserver<Chunk>();
                var subscription = StreamObservable.WebSocket(Ws("/closing")).Subscribe(observer);
                await observer.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience);
                subscription.Dispose();
            }

            await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(15));
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Count;
        }

        Assert.Equal(0, unobserved);
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

    private static async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        for (var i = 0; i < 1000; i++)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
        }
    }

    private Uri Ws(string path) => new(_server.Url(path).ToString().Replace("http://", "ws://", StringComparison.Ordinal));
}
