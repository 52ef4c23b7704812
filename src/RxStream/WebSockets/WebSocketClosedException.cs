using System.Net.WebSockets;

namespace RxStream.WebSockets;

// Specification: https://www.rfc-editor.org/rfc/rfc6455#section-7.4
/// <summary>Reports a WebSocket that closed abnormally: with an error status (the server's, or the client's own when it failed the connection), or dropped without a close frame.</summary>
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

    // The client failed the connection itself (RFC 6455 section 7.1.7), sending this status.
    internal WebSocketClosedException(WebSocketCloseStatus status, string description, bool closedByClient, Exception? innerException)
        : base($"The client closed the WebSocket with {(int)status} ({status}): the server sent {description}.", innerException)
    {
        CloseStatus = status;
        CloseStatusDescription = description;
        IsClosedByClient = closedByClient;
    }

    /// <summary>Gets the close status, or <see langword="null"/> for a connection dropped without a close frame.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>Gets the reason that came with the close status, if any.</summary>
    public string? CloseStatusDescription { get; }

    /// <summary>Gets a value indicating whether the client sent the close status, failing the connection over what the server sent (1007 for a text message that is not UTF-8, 1002 for a protocol error).</summary>
    public bool IsClosedByClient { get; }

    /// <summary>Gets a value indicating whether another connection may work: after a drop (1006), 1001, 1011, 1012 and 1013; not after a protocol, data or policy error.</summary>
    public override bool IsTransient => CloseStatus is null || (int)CloseStatus.Value is 1001 or 1011 or 1012 or 1013;
}

/// <summary>Reports a WebSocket send that could not go out: nothing was subscribed, the subscription ended first, or no connection opened in time.</summary>
public sealed class WebSocketNotOpenException : RxStreamException
{
    /// <summary>Initializes a new instance for a send with nothing subscribed.</summary>
    public WebSocketNotOpenException()
        : base("No WebSocket connection is open or opening: subscribe first (a send issued after Subscribe waits for the connection).")
    {
    }

    /// <summary>Initializes a new instance with what happened and, if any, the error that ended the connection.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The error that ended the connection, if any.</param>
    public WebSocketNotOpenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal static string TimedOut(TimeSpan timeout) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"No WebSocket connection opened within the send timeout ({timeout.TotalSeconds:0.###} s).");
}
