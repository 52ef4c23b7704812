using System.Net.WebSockets;

namespace RxStream.WebSockets;

// Specification: https://www.rfc-editor.org/rfc/rfc6455#section-7.4
/// <summary>Reports a WebSocket that closed abnormally: with an error status, or dropped without a close frame.</summary>
public sealed class WebSocketClosedException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="status">The close status, or <see langword="null"/> when the connection dropped without one (1006).</param>
    /// <param name="description">The server's reason, if any.</param>
    /// <param name="innerException">The transport error, if any.</param>
    public WebSocketClosedException(WebSocketCloseStatus? status, string? description, Exception? innerException = null)
        : base(status is { } code ? $"The WebSocket closed with {(int)code} ({code}){(string.IsNullOrEmpty(description) ? "" : ": " + description)}." : "The WebSocket connection dropped without a close frame (1006).", innerException)
    {
        CloseStatus = status;
        CloseStatusDescription = description;
    }

    /// <summary>Gets the close status, or <see langword="null"/> for a connection dropped without a close frame.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>Gets the server's reason, if it gave one.</summary>
    public string? CloseStatusDescription { get; }

    /// <summary>Gets a value indicating whether another connection may work: after a drop (1006), 1001, 1011, 1012 and 1013; not after a protocol, data or policy error.</summary>
    public override bool IsTransient => CloseStatus is null || (int)CloseStatus.Value is 1001 or 1011 or 1012 or 1013;
}

/// <summary>Reports a send on a <see cref="WebSocketConnection"/> with no open connection.</summary>
public sealed class WebSocketNotOpenException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    public WebSocketNotOpenException()
        : base("No WebSocket connection is open: subscribe first, and send once it is open.")
    {
    }
}
