using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Text;
using RxStream.Http;
using RxStream.Internal;
using RxStream.Resilience;

namespace RxStream.WebSockets;

/// <summary>A cold WebSocket source that can also send: each subscription opens a connection; sends go to the one open now.</summary>
/// <remarks>
/// <para>Bind "receive" by subscribing and "send" by calling <see cref="SendAsync(string, CancellationToken)"/>: one
/// object, one connection at a time, as RxJS's <c>webSocket()</c> subject offers, but with awaitable, typed sends.
/// Sends are serialized (a socket takes one at a time) and fail with <see cref="WebSocketNotOpenException"/> when no
/// connection is open. Under <c>Reconnect</c>, sends follow the current connection.</para>
/// <para>Disposing a subscription closes cleanly: a close frame (1000) is sent, the server's answer awaited for at
/// most <see cref="WebSocketConnectOptions.CloseTimeout"/>, then the socket is aborted; disposal itself never
/// blocks. A server's close with 1000 or 1001 completes the sequence; any other status, or a dropped connection,
/// fails it with <see cref="WebSocketClosedException"/>.</para>
/// <para>Each chunk owns its bytes and stays valid after <c>OnNext</c>: a message that fits in one receive is copied
/// out of the pooled receive buffer at its exact size; a longer one is received straight into an array of its own
/// (copied out at its exact size instead if it fills less than three quarters of that array).</para>
/// </remarks>
public sealed class WebSocketConnection : IObservable<Chunk>
{
    private readonly Uri _uri;
    private readonly WebSocketConnectOptions _options;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private ClientWebSocket? _open;

    internal WebSocketConnection(Uri uri, WebSocketConnectOptions options)
    {
        _uri = uri;
        _options = options;
    }

    /// <summary>Gets a value indicating whether a connection is open for sending.</summary>
    public bool IsOpen => Volatile.Read(ref _open) is { State: WebSocketState.Open };

    /// <summary>Gets the close status of the last connection that the server closed, if any.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Gets the server's reason for the last close, if any.</summary>
    public string? CloseStatusDescription { get; private set; }

    /// <inheritdoc/>
    public IDisposable Subscribe(IObserver<Chunk> observer) => new Receiver(this, ReconnectContext.Current).Subscribe(observer);

    /// <summary>Sends a text message on the open connection.</summary>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebSocketNotOpenException">No connection is open.</exception>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);
    }

    /// <summary>Sends a binary (or text) message on the open connection.</summary>
    /// <param name="data">The message.</param>
    /// <param name="binary"><see langword="true"/> for a binary message, <see langword="false"/> for UTF-8 text.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="WebSocketNotOpenException">No connection is open.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, bool binary = true, CancellationToken cancellationToken = default) =>
        SendAsync(data, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, cancellationToken);

    private async ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = Volatile.Read(ref _open);
            if (socket is not { State: WebSocketState.Open })
            {
                throw new WebSocketNotOpenException();
            }

            await socket.SendAsync(data, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Runs one connection: open, receive until the server closes, close cleanly when disposed.</summary>
    private sealed class Receiver(WebSocketConnection owner, ReconnectContext? attempt) : AsyncLoopSource<Chunk>
    {
        protected override async Task RunAsync(Emitter emitter, CancellationToken cancellationToken)
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
            using var closeTimer = new System.Reactive.Disposables.SerialDisposable();
            var opened = false;
            try
            {
                try
                {
                    await socket.ConnectAsync(owner._uri, options.Invoker, cancellationToken).ConfigureAwait(false);
                }
                catch (WebSocketException error) when (!cancellationToken.IsCancellationRequested && RefusedUpgrade(socket) is { } refused)
                {
                    // The server answered, but not with 101 Switching Protocols: that is an HTTP status (a 401 or 404
                    // is final, a 503 worth another try), not a connection that dropped.
                    // ClientWebSocket keeps the response's headers but neither its content headers nor its body.
                    throw new HttpStatusException(refused, null, null, string.Empty, RetryAfter(socket), error);
                }

                opened = true;
                Volatile.Write(ref owner._open, socket);
                attempt?.ReportOpen(socket.SubProtocol);
                options.OnOpen?.Invoke(socket.SubProtocol);

                // Cancelling a receive would abort the socket, so disposal starts the closing handshake instead, and
                // the pending receive ends when the server answers it (or when the timer aborts the socket).
                using var closeOnDispose = cancellationToken.Register(() => BeginClose(socket, options, closeTimer));
                await ReceiveAsync(socket, emitter, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException error) when (opened && !cancellationToken.IsCancellationRequested)
            {
                // An open connection that ended without a close frame (1006). A failure to connect at all (refused,
                // unreachable) goes out as it is: the transport's own error says best what went wrong.
                throw new WebSocketClosedException(null, null, error);
            }
            catch (Exception error) when (cancellationToken.IsCancellationRequested && error is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Disposed: the abort that ended the close is expected, and nobody is listening any more.
            }
            finally
            {
                Interlocked.CompareExchange(ref owner._open, null, socket);
                socket.Dispose();
            }
        }

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
                        owner.CloseStatus = socket.CloseStatus;
                        owner.CloseStatusDescription = socket.CloseStatusDescription;
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            // Complete the closing handshake the server started.
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                        }

                        if (socket.CloseStatus is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable)
                        {
                            return;
                        }

                        throw new WebSocketClosedException(socket.CloseStatus, socket.CloseStatusDescription);
                    }

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
                        emitter.Next(Chunk.Copy(buffer.AsSpan(0, result.Count), kind, result.EndOfMessage));
                        continue;
                    }
                    else if (result.EndOfMessage && !message.InMessage)
                    {
                        message.NoteSingleReceive(result.Count);
                        emitter.Next(Chunk.Copy(buffer.AsSpan(0, result.Count), kind, endOfMessage: true));
                        continue;
                    }
                    else
                    {
                        message.Append(buffer.AsSpan(0, result.Count));
                    }

                    if (result.EndOfMessage)
                    {
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
        private static void BeginClose(ClientWebSocket socket, WebSocketConnectOptions options, System.Reactive.Disposables.SerialDisposable timer)
        {
            timer.Disposable = SchedulerDefaults.Resolve(options.Scheduler).Schedule(options.CloseTimeout, socket.Abort);
            _ = socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                .ContinueWith(static (send, state) => ((ClientWebSocket)state!).Abort(), socket, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
