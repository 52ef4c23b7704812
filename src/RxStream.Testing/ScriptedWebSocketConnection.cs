using System.Net.WebSockets;

namespace RxStream.Testing;

/// <summary>Holds what happened on one connection to a <see cref="ScriptedWebSocketHandler"/>: the upgrade request, the messages the client sent, and its close.</summary>
public sealed class ScriptedWebSocketConnection
{
    private readonly Lock _gate = new();
    private readonly List<ScriptedWebSocketMessage> _received = [];

    internal ScriptedWebSocketConnection(ScriptedRequest request) => Request = request;

    /// <summary>Gets the upgrade request (headers, sub-protocols offered, arrival time).</summary>
    public ScriptedRequest Request { get; }

    /// <summary>Gets the whole messages the client sent so far, in order.</summary>
    public IReadOnlyList<ScriptedWebSocketMessage> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Gets the status of the close frame the client sent, or <see langword="null"/> if it has not sent one.</summary>
    public WebSocketCloseStatus? ClientCloseStatus { get; private set; }

    /// <summary>Gets the reason in the client's close frame, if any.</summary>
    public string? ClientCloseDescription { get; private set; }

    internal void Add(ScriptedWebSocketMessage message)
    {
        lock (_gate)
        {
            _received.Add(message);
        }
    }

    internal void Closed(WebSocketCloseStatus? status, string? description)
    {
        ClientCloseStatus = status;
        ClientCloseDescription = description;
    }
}
