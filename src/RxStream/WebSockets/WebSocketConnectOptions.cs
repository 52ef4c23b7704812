using System.Reactive.Concurrency;

namespace RxStream.WebSockets;

/// <summary>Configures a WebSocket connection (<see cref="StreamObservable.WebSocket(Uri, WebSocketConnectOptions?)"/>).</summary>
public sealed record WebSocketConnectOptions
{
    /// <summary>The default largest message: 4 MiB.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    private readonly int _maxMessageSize = DefaultMaxMessageSize;
    private readonly int _receiveBufferSize = Internal.StreamDefaults.BufferSize;

    /// <summary>The default time disposal waits for the server to answer the close frame: 2 s.</summary>
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The default time a send waits for an open connection: 30 s, enough for a connection and a few reconnect attempts (<c>Reconnect</c>'s longest default delay is 30 s).</summary>
    public static readonly TimeSpan DefaultSendTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _closeTimeout = DefaultCloseTimeout;
    private readonly TimeSpan _sendTimeout = DefaultSendTimeout;
    private readonly TimeSpan _connectTimeout = Http.FetchOptions.DefaultConnectTimeout;

    /// <summary>Gets headers sent with the opening handshake; their values never appear in an error message.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets the sub-protocols offered to the server.</summary>
    public IReadOnlyList<string> SubProtocols { get; init; } = [];

    /// <summary>Gets the keep-alive (ping) interval, or <see langword="null"/> for .NET's default.</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>Gets the invoker that carries the opening handshake (to reuse a handler or test one), or <see langword="null"/> for the default.</summary>
    public HttpMessageInvoker? Invoker { get; init; }

    /// <summary>Gets a value indicating whether each frame is its own chunk (carrying <see cref="Chunk.IsEndOfMessage"/>) instead of each whole message.</summary>
    public bool FrameMode { get; init; }

    /// <summary>Gets the largest message accepted, in bytes; a larger one closes the socket with 1009 and fails with <see cref="StreamLimitExceededException"/>.</summary>
    public int MaxMessageSize
    {
        get => _maxMessageSize;
        init => _maxMessageSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets the size of one receive; 16 KiB by default.</summary>
    public int ReceiveBufferSize
    {
        get => _receiveBufferSize;
        init => _receiveBufferSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The size must be positive.");
    }

    /// <summary>Gets the longest wait for the server to accept the opening handshake; <see cref="Http.FetchOptions.DefaultConnectTimeout"/> (60 s) by default, <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    /// <remarks>Crossing it fails the connection with a transient <see cref="Http.ConnectTimeoutException"/>; the open socket is not limited.</remarks>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = Http.FetchOptions.RequireTimeout(value);
    }

    /// <summary>Gets how long disposal waits for the server to answer the close frame before aborting; <see cref="DefaultCloseTimeout"/> by default.</summary>
    public TimeSpan CloseTimeout
    {
        get => _closeTimeout;
        init => _closeTimeout = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout cannot be negative.");
    }

    /// <summary>Gets how long a send waits for a connection to open (and for the sends issued before it); <see cref="DefaultSendTimeout"/> by default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</summary>
    /// <remarks>Past it the send fails with <see cref="WebSocketNotOpenException"/>. A message already handed to the socket is not timed: cancelling a WebSocket send would abort the connection.</remarks>
    public TimeSpan SendTimeout
    {
        get => _sendTimeout;
        init => _sendTimeout = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive, or Timeout.InfiniteTimeSpan.");
    }

    /// <summary>Gets a callback told when each connection opens, with that subscription's session (its sub-protocol, state and sends).</summary>
    /// <remarks>It runs on the connection's thread before the first message is received; what it sends on the session goes out before the sends that waited for the opening. An exception it throws fails the subscription.</remarks>
    public Action<WebSocketSession>? OnOpen { get; init; }

    /// <summary>Gets the scheduler that times the connect, close and send timeouts; <see cref="DefaultScheduler.Instance"/> when <see langword="null"/>.</summary>
    public IScheduler? Scheduler { get; init; }
}
