using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Text;
using RxStream.Diagnostics;
using RxStream.Http;
using RxStream.Internal;
using RxStream.Resilience;

namespace RxStream.WebSockets;

/// <summary>A cold WebSocket source that can also send: each subscription opens a connection; sends go to the one open now, or wait for it.</summary>
/// <remarks>
/// <para>Bind "receive" by subscribing and "send" by calling <see cref="SendAsync(string, CancellationToken)"/>, as
/// RxJS's <c>webSocket()</c> subject offers, but with awaitable, typed sends. A send issued before the connection opens
/// (right after <c>Subscribe</c>) waits for it, and sends go out one at a time in the order they were issued. A send
/// fails with <see cref="WebSocketNotOpenException"/> when nothing is subscribed, when the subscription ends before
/// the message went out, or when no connection opened within <see cref="WebSocketConnectOptions.SendTimeout"/>.</para>
/// <para>This object holds no connection state: each subscription has its own <see cref="WebSocketSession"/>
/// (handed out by <see cref="WebSocketConnectOptions.OnOpen"/>), which says whether it is open and how it closed.
/// Sends here go to the newest subscription. Under <c>Reconnect</c> (applied straight to this source) they follow
/// each new connection: a send waiting when a connection ends waits for the next one, for at most its timeout, and
/// fails at once when <c>Reconnect</c> gives up or is disposed instead (it says so through
/// <see cref="ReconnectContext.SubscriptionEnded"/>).</para>
/// <para>Disposing a subscription closes cleanly: a close frame (1000) is sent, the server's answer awaited for at
/// most <see cref="WebSocketConnectOptions.CloseTimeout"/>, then the socket is aborted; disposal itself never
/// blocks. A server's close with 1000 completes the sequence; any other status (1001 "going away" included, which
/// is transient, so that <c>Reconnect</c> reconnects after a server restart), or a dropped connection, fails it
/// with <see cref="WebSocketClosedException"/>.</para>
/// <para>Each chunk owns its bytes and stays valid after <c>OnNext</c>: a message that fits in one receive is copied
/// out of the pooled receive buffer at its exact size; a longer one is received straight into an array of its own
/// (copied out at its exact size instead if it fills less than three quarters of that array).</para>
/// </remarks>
public sealed class WebSocketConnection : IObservable<Chunk>
{
    private readonly Uri _uri;
    private readonly WebSocketConnectOptions _options;
    private readonly SendQueue _sends = new();
    private readonly Lock _gate = new();

    // The subscriptions running now, oldest first; sends go to the last.
    private readonly List<WebSocketSession> _sessions = [];

    // Completed with the next session that opens, or with null once no subscription is left to open one.
    private TaskCompletionSource<WebSocketSession?> _nextOpen = NewSignal();

    // Whether the last subscription to end was an attempt of a Reconnect subscription still running, so that another
    // attempt is expected: sends keep waiting for it, until it starts or the Reconnect subscription ends.
    private bool _reconnectExpected;

    // The attempt whose Reconnect subscription is expected to start the next one, and the registration that hears
    // when that subscription ends instead.
    private ReconnectContext? _awaitedAttempt;
    private CancellationTokenRegistration _awaitedEnd;

    // Why the last subscription ended, for the error of the sends it leaves behind.
    private WebSocketSession? _lastEnded;

    internal WebSocketConnection(Uri uri, WebSocketConnectOptions options)
    {
        _uri = uri;
        _options = options;
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(IObserver<Chunk> observer) => new Receiver(this, ReconnectContext.Current).Subscribe(observer);

    /// <summary>Sends a text message on the connection open now, or on the next one to open.</summary>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Cancels the wait for the connection and for the sends before it; once the message is handed to the socket it is not cancelled (cancelling a WebSocket send aborts the connection).</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebSocketNotOpenException">Nothing is subscribed, the subscription ended before the message went out, or no connection opened within <see cref="WebSocketConnectOptions.SendTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);
    }

    /// <summary>Sends a binary or text message on the connection open now, or on the next one to open.</summary>
    /// <param name="data">The message; for <see cref="WebSocketMessageType.Text"/>, UTF-8.</param>
    /// <param name="messageType"><see cref="WebSocketMessageType.Binary"/> or <see cref="WebSocketMessageType.Text"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the connection and for the sends before it.</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="messageType"/> is <see cref="WebSocketMessageType.Close"/>.</exception>
    /// <exception cref="WebSocketNotOpenException">Nothing is subscribed, the subscription ended before the message went out, or no connection opened within <see cref="WebSocketConnectOptions.SendTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType = WebSocketMessageType.Binary, CancellationToken cancellationToken = default)
    {
        WebSocketSession.CheckMessageType(messageType);
        lock (_gate)
        {
            if (_sessions.Count == 0 && !_reconnectExpected)
            {
                // Fail at the call: nothing would ever open a connection for this send.
                return ValueTask.FromException(_lastEnded?.EndedError() ?? new WebSocketNotOpenException());
            }
        }

        return new ValueTask(SendInTurnAsync(data, messageType, cancellationToken));
    }

    // The one place the default scheduler is resolved for this source.
    private IScheduler Scheduler => SchedulerDefaults.Resolve(_options.Scheduler);

    private static TaskCompletionSource<WebSocketSession?> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task SendInTurnAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType, CancellationToken cancellationToken)
    {
        using var deadline = new SendDeadline(_options.SendTimeout, Scheduler, cancellationToken);
        await _sends.RunAsync(
            async turn =>
            {
                var session = await turn.WaitAsync(NextOpen()).ConfigureAwait(false) ?? throw (LastEndedError());
                await session.SendInTurnAsync(data, messageType, turn).ConfigureAwait(false);
            },
            deadline).ConfigureAwait(false);
    }

    private WebSocketNotOpenException LastEndedError()
    {
        lock (_gate)
        {
            return _lastEnded?.EndedError() ?? new WebSocketNotOpenException();
        }
    }

    // The session to send on: the newest one if it is open, or the next to open.
    private Task<WebSocketSession?> NextOpen()
    {
        lock (_gate)
        {
            if (_sessions.Count > 0 && _sessions[^1] is { IsOpen: true } current)
            {
                return Task.FromResult<WebSocketSession?>(current);
            }

            return _sessions.Count == 0 && !_reconnectExpected ? Task.FromResult<WebSocketSession?>(null) : _nextOpen.Task;
        }
    }

    private void Started(WebSocketSession session)
    {
        CancellationTokenRegistration awaited;
        lock (_gate)
        {
            _sessions.Add(session);
            _reconnectExpected = false;
            _awaitedAttempt = null;
            awaited = _awaitedEnd;
            _awaitedEnd = default;
        }

        // Unregister never waits for a running callback, so it cannot deadlock on the gate that callback takes.
        awaited.Unregister();
    }

    private void Opened(WebSocketSession session)
    {
        TaskCompletionSource<WebSocketSession?> signal;
        lock (_gate)
        {
            signal = _nextOpen;
            _nextOpen = NewSignal();
        }

        signal.TrySetResult(session);
    }

    private void Ended(WebSocketSession session, ReconnectContext? attempt)
    {
        TaskCompletionSource<WebSocketSession?>? signal = null;
        bool awaitNext;
        lock (_gate)
        {
            if (!_sessions.Remove(session))
            {
                return;
            }

            _lastEnded = session;

            // The policy, not this source, decides whether another attempt follows; until its subscription says it
            // has ended, one may.
            _reconnectExpected = attempt is not null && _sessions.Count == 0 && !attempt.SubscriptionEnded.IsCancellationRequested;
            awaitNext = _reconnectExpected;
            if (awaitNext)
            {
                _awaitedAttempt = attempt;
            }
            else if (_sessions.Count == 0)
            {
                signal = _nextOpen;
                _nextOpen = NewSignal();
            }
        }

        signal?.TrySetResult(null);
        if (awaitNext)
        {
            // Outside the gate: a subscription that ended meanwhile runs the callback right here.
            var registration = attempt!.SubscriptionEnded.Register(
                static state =>
                {
                    var (owner, ended) = ((WebSocketConnection, ReconnectContext))state!;
                    owner.ReconnectEnded(ended);
                },
                (this, attempt));
            lock (_gate)
            {
                if (ReferenceEquals(_awaitedAttempt, attempt))
                {
                    (_awaitedEnd, registration) = (registration, _awaitedEnd);
                }
            }

            registration.Unregister();
        }
    }

    private void ReconnectEnded(ReconnectContext attempt)
    {
        TaskCompletionSource<WebSocketSession?> signal;
        lock (_gate)
        {
            if (!ReferenceEquals(_awaitedAttempt, attempt))
            {
                return;
            }

            // No attempt follows: the sends waiting for one fail now, with the last connection's reason.
            _awaitedAttempt = null;
            _awaitedEnd = default;
            _reconnectExpected = false;
            signal = _nextOpen;
            _nextOpen = NewSignal();
        }

        signal.TrySetResult(null);
    }

    /// <summary>Starts one subscription: its session exists from the call to <c>Subscribe</c>, so a send issued right after it waits for its connection.</summary>
    private sealed class Receiver(WebSocketConnection owner, ReconnectContext? attempt) : IObservable<Chunk>
    {
        public IDisposable Subscribe(IObserver<Chunk> observer)
        {
            ArgumentNullException.ThrowIfNull(observer);
            var session = new WebSocketSession(owner._options.SendTimeout, owner.Scheduler);
            owner.Started(session);
            return new Connection(owner, attempt, session).Subscribe(observer);
        }
    }

    /// <summary>Runs one connection: open, receive until the server closes, close cleanly when disposed.</summary>
    private sealed class Connection(WebSocketConnection owner, ReconnectContext? attempt, WebSocketSession session) : AsyncLoopSource<Chunk>
    {
        protected override async Task RunAsync(Emitter emitter, CancellationToken cancellationToken)
        {
            emitter.Telemetry = ConnectionTelemetry.Start(ConnectionTelemetry.WebSocket, owner._uri, owner.Scheduler);
            Exception? ended = null;
            try
            {
                await RunConnectionAsync(emitter, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                ended = error;
                throw;
            }
            finally
            {
                // Before the observer hears of the end (and Reconnect schedules the next attempt): sends waiting for
                // this connection fail now, or, when Reconnect will try again, wait for the next one.
                EndSession(ended);
            }
        }

        private void EndSession(Exception? error)
        {
            if (session.End(error))
            {
                owner.Ended(session, attempt);
            }
        }

        private async Task RunConnectionAsync(Emitter emitter, CancellationToken cancellationToken)
        {
            var options = owner._options;
            var socket = new ClientWebSocket();
            foreach (var (name, value) in options.Headers)
            {
                socket.Options.SetRequestHeader(name, value);
            }

            foreach (var protocol in options.SubProtocols)
            {
                socket.Options.AddSubProtocol(protocol);
            }

            if (options.KeepAliveInterval is { } keepAlive)
            {
                socket.Options.KeepAliveInterval = keepAlive;
            }

            // Keep the handshake's status and headers, so a refused upgrade can say what the server answered.
            socket.Options.CollectHttpResponseDetails = true;
            using var closeTimer = new SerialDisposable();
            var opened = false;
            try
            {
                try
                {
                    using var deadline = new ConnectDeadline(SchedulerDefaults.Resolve(options.Scheduler), options.ConnectTimeout, cancellationToken);
                    try
                    {
                        await socket.ConnectAsync(owner._uri, options.Invoker, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (deadline.HasFired && !cancellationToken.IsCancellationRequested)
                    {
                        throw new ConnectTimeoutException(options.ConnectTimeout);
                    }
                }
                catch (WebSocketException error) when (!cancellationToken.IsCancellationRequested && RefusedUpgrade(socket) is { } refused)
                {
                    // The server answered, but not with 101 Switching Protocols: that is an HTTP status (a 401 or 404
                    // is final, a 503 worth another try), not a connection that dropped.
                    // ClientWebSocket keeps the response's headers but neither its content headers nor its body; the
                    // reason phrase is the standard one for the status, as ClientWebSocket does not keep the server's.
                    using var standard = new HttpResponseMessage(refused);
                    throw new HttpStatusException(refused, standard.ReasonPhrase, null, string.Empty, RetryAfter(socket), error);
                }

                opened = true;
                emitter.Telemetry?.Opened((int)HttpStatusCode.SwitchingProtocols);
                session.Open(socket);
                attempt?.ReportOpen(socket.SubProtocol);
                options.OnOpen?.Invoke(session);

                // After OnOpen, so that what it sends on the session goes out before the sends that waited.
                owner.Opened(session);

                // Cancelling a receive would abort the socket, so disposal starts the closing handshake instead, and
                // the pending receive ends when the server answers it (or when the timer aborts the socket).
                using var closeOnDispose = cancellationToken.Register(() =>
                {
                    // Disposed: no send may start on this connection any more.
                    EndSession(null);
                    BeginClose(socket, options.CloseTimeout, owner.Scheduler, closeTimer);
                });
                await ReceiveAsync(socket, emitter, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException error) when (opened && !cancellationToken.IsCancellationRequested)
            {
                if (RejectedTheServersClose(socket, error))
                {
                    throw new WebSocketClosedException(
                        WebSocketCloseStatus.ProtocolError,
                        error.InnerException is DecoderFallbackException ? "a close frame whose reason is not valid UTF-8" : "a malformed close frame (a 1-byte body, or a status code no endpoint may send)",
                        closedByClient: true,
                        error);
                }

                if (IsInvalidUtf8(error))
                {
                    throw new WebSocketClosedException(WebSocketCloseStatus.InvalidPayloadData, "a text message that is not valid UTF-8", closedByClient: true, error);
                }

                // An open connection that ended without a close frame (1006). A failure to connect at all (refused,
                // unreachable) goes out as it is: the transport's own error says best what went wrong.
                throw new WebSocketClosedException(null, null, error);
            }
            catch (Exception error) when (cancellationToken.IsCancellationRequested && error is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Disposed: the abort that ended the close is expected, and nobody is listening any more.
            }
            finally
            {
                socket.Dispose();
            }
        }

        // Specification: https://www.rfc-editor.org/rfc/rfc6455#section-8.1
        // "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a
        // valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_", with 1007 (section 7.4.1).
        // ClientWebSocket does exactly that: it sends its close frame with 1007, aborts, and throws a Faulted error
        // with the bare default message and no inner exception. Its protocol errors in a frame header carry their own
        // message, and a dropped connection is ConnectionClosedPrematurely; those stay drops (1006).
        // Specification: https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1 and #section-7.4
        // A close frame's body "MUST" start with "a 2-byte unsigned integer" status code, so a 1-byte body is malformed;
        // 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame by an endpoint", and codes
        // below 1000 and unassigned ones in 1000-2999 are not used. ClientWebSocket fails the connection over such a
        // frame with 1002 (protocol error), also when the reason is not valid UTF-8, and throws the same bare Faulted
        // error as for a text message that is not UTF-8 (or one carrying the DecoderFallbackException). What tells the
        // two apart is the state: the server's close frame was received and the client's own sent, so the socket is
        // Closed, not Aborted, yet it kept no close status, as it does for a close it accepted.
        private static bool RejectedTheServersClose(ClientWebSocket socket, WebSocketException error) =>
            error.WebSocketErrorCode == WebSocketError.Faulted &&
            error.InnerException is null or DecoderFallbackException &&
            socket is { State: WebSocketState.Closed, CloseStatus: null };

        private static bool IsInvalidUtf8(WebSocketException error) =>
            error is { WebSocketErrorCode: WebSocketError.Faulted, InnerException: null } &&
            error.Message == new WebSocketException(WebSocketError.Faulted).Message;

        private static HttpStatusCode? RefusedUpgrade(ClientWebSocket socket) =>
            socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols ? socket.HttpStatusCode : null;

        // "Retry-After: delay-seconds"; an HTTP date is left to the HTTP sources, which have the scheduler's clock.
        private static TimeSpan? RetryAfter(ClientWebSocket socket) =>
            int.TryParse(Header(socket, "Retry-After"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

        private static string? Header(ClientWebSocket socket, string name) =>
            socket.HttpResponseHeaders?.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

        private async Task ReceiveAsync(ClientWebSocket socket, Emitter emitter, CancellationToken cancellationToken)
        {
            var options = owner._options;
            var buffer = ArrayPool<byte>.Shared.Rent(options.ReceiveBufferSize);
            var message = new MessageAssembler(options.ReceiveBufferSize, options.MaxMessageSize);
            try
            {
                while (true)
                {
                    // A long message is received straight into the array its chunk will own; a short one (or a frame,
                    // in frame mode) into the pooled buffer, then copied out at its exact size.
                    var direct = options.FrameMode ? Memory<byte>.Empty : message.NextTarget();
                    var target = direct.IsEmpty ? buffer.AsMemory(0, options.ReceiveBufferSize) : direct;
                    var result = await socket.ReceiveAsync(target, cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        session.Closed(socket.CloseStatus, socket.CloseStatusDescription);
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            // Complete the closing handshake the server started.
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                        }

                        // Only 1000 is the end of the stream. 1001 (a server going away, as on a restart) fails with
                        // a transient error, so that Reconnect connects again instead of ending the stream.
                        if (socket.CloseStatus is WebSocketCloseStatus.NormalClosure)
                        {
                            return;
                        }

                        throw new WebSocketClosedException(socket.CloseStatus, socket.CloseStatusDescription);
                    }

                    emitter.Telemetry?.Received(result.Count);
                    var kind = result.MessageType == WebSocketMessageType.Text ? ChunkKind.Text : ChunkKind.Binary;
                    if (!direct.IsEmpty)
                    {
                        // The array never grows past the limit, so these bytes fit under it.
                        message.Advance(result.Count);
                    }
                    else if (message.Written + result.Count > options.MaxMessageSize)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", cancellationToken).ConfigureAwait(false);
                        throw new StreamLimitExceededException(nameof(WebSocketConnectOptions.MaxMessageSize), options.MaxMessageSize, "bytes");
                    }
                    else if (options.FrameMode)
                    {
                        emitter.Telemetry?.Item();
                        emitter.Next(Chunk.Copy(buffer.AsSpan(0, result.Count), kind, result.EndOfMessage));
                        continue;
                    }
                    else if (result.EndOfMessage && !message.InMessage)
                    {
                        message.NoteSingleReceive(result.Count);
                        emitter.Telemetry?.Item();
                        emitter.Next(Chunk.Copy(buffer.AsSpan(0, result.Count), kind, endOfMessage: true));
                        continue;
                    }
                    else
                    {
                        message.Append(buffer.AsSpan(0, result.Count));
                    }

                    if (result.EndOfMessage)
                    {
                        emitter.Telemetry?.Item();
                        emitter.Next(message.Complete(kind));
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        // "Start the WebSocket closing handshake": send 1000 now, and abort if the server has not answered in time.
        private static void BeginClose(ClientWebSocket socket, TimeSpan closeTimeout, IScheduler scheduler, SerialDisposable timer)
        {
            timer.Disposable = scheduler.Schedule(closeTimeout, socket.Abort);

            // The close may fail when the server's own close or a drop wins the race (or the socket is disposed under
            // it): read its exception, so that it never surfaces as an UnobservedTaskException, and abort.
            _ = socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                .ContinueWith(
                    static (close, state) =>
                    {
                        if (close.Exception is not null)
                        {
                            ((ClientWebSocket)state!).Abort();
                        }
                    },
                    socket,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
        }
    }
}
