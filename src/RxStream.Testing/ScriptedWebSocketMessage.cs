using System.Net.WebSockets;

namespace RxStream.Testing;

/// <summary>Holds one whole message a client sent to a <see cref="ScriptedWebSocketHandler"/>, and when it arrived in virtual time.</summary>
/// <param name="Type">Text or binary.</param>
/// <param name="Data">The message's bytes (its frames joined).</param>
/// <param name="ReceivedAt">The scheduler's time when its last frame arrived.</param>
public sealed record ScriptedWebSocketMessage(WebSocketMessageType Type, byte[] Data, DateTimeOffset ReceivedAt)
{
    /// <summary>Gets the message decoded as UTF-8.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Data);
}
