using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Text;

namespace RxStream.WebSockets;

/// <summary>Represents the connection of one subscription to a <see cref="WebSocketConnection"/>: its state, how it closed, and sends on it alone.</summary>
/// <remarks>
/// <para>A session starts when its subscription starts, opens with the handshake, and ends with the subscription; it is
/// never reused, so what it reports (<see cref="IsOpen"/>, <see cref="CloseStatus"/>) is about that one connection.
/// <see cref="WebSocketConnectOptions.OnOpen"/> hands it out as the connection opens.</para>
/// <para>Its sends go out one at a time, in the order they were issued; sends issued inside
/// <see cref="WebSocketConnectOptions.OnOpen"/> go out before those that waited for the opening. Unlike
/// <see cref="WebSocketConnection.SendAsync(string, CancellationToken)"/>, they never follow a reconnect: once this
/// session has ended, a send fails with <see cref="WebSocketNotOpenException"/>.</para>
/// </remarks>
public sealed class WebSocketSession
{
    private readonly TaskCompletionSource<ClientWebSocket?> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SendQueue _sends = new();
    private readonly Lock _gate = new();
    private readonly TimeSpan _sendTimeout;
    private readonly IScheduler _scheduler;
    private ClientWebSocket? _socket;

    // Why the session ended (the stream's error), or null while it runs or when it ended without one.
    private Exception? _endedBy;
    private volatile bool _ended;

    internal WebSocketSession(TimeSpan sendTimeout, IScheduler scheduler)
    {
        _sendTimeout = sendTimeout;
        _scheduler = scheduler;
    }

    /// <summary>Gets a value indicating whether the connection is open for sending now.</summary>
    public bool IsOpen => !_ended && Volatile.Read(ref _socket) is { State: WebSocketState.Open };

    /// <summary>Gets a value indicating whether the subscription has ended (its connection is closed or closing).</summary>
    public bool IsEnded => _ended;

    /// <summary>Gets the sub-protocol the server chose, or <see langword="null"/> before the opening or when it chose none.</summary>
    public string? SubProtocol { get; private set; }

    /// <summary>Gets the close status the server sent, or <see langword="null"/> until it sends one (and for a connection dropped without one).</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Gets the reason the server gave with its close status, if any.</summary>
    public string? CloseStatusDescription { get; private set; }

    /// <summary>Sends a text message on this connection, once it is open and the sends issued before it have gone out.</summary>
    /// <param name="text">The message.</param>
    /// <param name="cancellationToken">Cancels the wait for the connection and for the sends before it; once the message is handed to the socket it is not cancelled (cancelling a WebSocket send aborts the connection).</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebSocketNotOpenException">The session ended before the message went out, or did not open within <see cref="WebSocketConnectOptions.SendTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);
    }

    /// <summary>Sends a binary or text message on this connection, once it is open and the sends issued before it have gone out.</summary>
    /// <param name="data">The message; for <see cref="WebSocketMessageType.Text"/>, UTF-8.</param>
    /// <param name="messageType"><see cref="WebSocketMessageType.Binary"/> or <see cref="WebSocketMessageType.Text"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the connection and for the sends before it.</param>
    /// <returns>A task that completes once the message is handed to the socket.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="messageType"/> is <see cref="WebSocketMessageType.Close"/>.</exception>
    /// <exception cref="WebSocketNotOpenException">The session ended before the message went out, or did not open within <see cref="WebSocketConnectOptions.SendTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType = WebSocketMessageType.Binary, CancellationToken cancellationToken = default)
    {
        CheckMessageType(messageType);
        return new ValueTask(SendInTurnAsync(data, messageType, cancellationToken));
    }

    internal static void CheckMessageType(WebSocketMessageType messageType, string name = "messageType")
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
        {
            throw new ArgumentOutOfRangeException(name, messageType, "A message is text or binary; disposing the subscription closes the connection.");
        }
    }

    /// <summary>Completes when the session opens (with its socket) or ends first (with <see langword="null"/>); never faults.</summary>
    internal Task<ClientWebSocket?> Opened => _opened.Task;

    internal WebSocketNotOpenException EndedError() =>
        new("The WebSocket subscription ended before the message went out" + (_endedBy is null ? "." : $": {_endedBy.Message}"), _endedBy);

    internal void Open(ClientWebSocket socket)
    {
        SubProtocol = socket.SubProtocol;
        Volatile.Write(ref _socket, socket);
        _opened.TrySetResult(socket);
    }

    internal void Closed(WebSocketCloseStatus? status, string? description)
    {
        CloseStatus = status;
        CloseStatusDescription = description;
    }

    /// <summary>Ends the session: sends waiting for it fail; returns <see langword="false"/> if it had already ended.</summary>
    internal bool End(Exception? error)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _endedBy = error;
            _ended = true;
        }

        _opened.TrySetResult(null);
        return true;
    }

    /// <summary>Sends in this session's order; the connection's own sends come here once they have their turn.</summary>
    internal Task SendInTurnAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType, SendDeadline deadline) =>
        _sends.RunAsync(turn => SendNowAsync(data, messageType, turn), deadline);

    private async Task SendInTurnAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType, CancellationToken cancellationToken)
    {
        using var deadline = new SendDeadline(_sendTimeout, _scheduler, cancellationToken);
        await SendInTurnAsync(data, messageType, deadline).ConfigureAwait(false);
    }

    private async Task SendNowAsync(ReadOnlyMemory<byte> data, WebSocketMessageType messageType, SendDeadline deadline)
    {
        var socket = await deadline.WaitAsync(_opened.Task).ConfigureAwait(false);
        if (socket is null || _ended)
        {
            throw EndedError();
        }

        try
        {
            await socket.SendAsync(data, messageType, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection closed or dropped under the send: the subscription reports why; the send only failed.
            throw new WebSocketNotOpenException("The WebSocket connection closed before the message went out.", error);
        }
    }
}
