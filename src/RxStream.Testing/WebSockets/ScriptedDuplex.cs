using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using RxStream.Testing.Http;
using RxStream.Testing.Internal;

namespace RxStream.Testing.WebSockets;

/// <summary>The upgraded connection of a scripted WebSocket: reads give the client the server's frames at their virtual times; writes carry the client's frames, decoded and recorded.</summary>
internal sealed class ScriptedDuplex(ScriptedWebSocketConnection connection, IScheduler scheduler, ClientActivity activity) : ScriptedBody(activity)
{
    private readonly Lock _writeGate = new();
    private readonly List<byte> _incoming = [];
    private readonly List<byte> _message = [];
    private WebSocketMessageType _messageType;
    private bool _serverClosed;
    private bool _clientClosed;

    // Whether the server is in the middle of a fragmented message, whose next frames are continuations.
    private bool _serverInMessage;

    public override bool CanWrite => true;

    /// <summary>Gives the opcode of the server's next frame: the message's type on its first frame, a continuation after.</summary>
    public byte NextOpcode(byte messageOpcode, bool endOfMessage)
    {
        var opcode = _serverInMessage ? WebSocketFrames.Continuation : messageOpcode;
        _serverInMessage = !endOfMessage;
        return opcode;
    }

    /// <summary>Sends the server's close frame (once); once both sides have sent theirs, the server closes the connection.</summary>
    public void SendClose(WebSocketCloseStatus? status, string? description)
    {
        bool both;
        lock (_writeGate)
        {
            if (_serverClosed)
            {
                return;
            }

            _serverClosed = true;
            both = _clientClosed;
        }

        Deliver(WebSocketFrames.EncodeClose(status, description));
        if (both)
        {
            // "The underlying TCP connection, in most normal cases, SHOULD be closed first by the server".
            End();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        (WebSocketCloseStatus? Status, string? Description)? echo = null;
        lock (_writeGate)
        {
            _incoming.AddRange(buffer);
            while (WebSocketFrames.TryDecode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_incoming), out var final, out var opcode, out var payload, out var consumed))
            {
                _incoming.RemoveRange(0, consumed);
                switch (opcode)
                {
                    case WebSocketFrames.Text or WebSocketFrames.Binary or WebSocketFrames.Continuation:
                        if (opcode != WebSocketFrames.Continuation)
                        {
                            _messageType = opcode == WebSocketFrames.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                        }

                        _message.AddRange(payload);
                        if (final)
                        {
                            connection.Add(new ScriptedWebSocketMessage(_messageType, [.. _message], scheduler.Now));
                            _message.Clear();
                        }

                        break;
                    case WebSocketFrames.Close when !_clientClosed:
                        _clientClosed = true;
                        WebSocketCloseStatus? status = payload.Length >= 2 ? (WebSocketCloseStatus)BinaryPrimitives.ReadUInt16BigEndian(payload) : null;
                        var description = payload.Length > 2 ? System.Text.Encoding.UTF8.GetString(payload, 2, payload.Length - 2) : null;
                        connection.Closed(status, description);
                        echo = (status, description);
                        break;
                    default:
                        // Pings, and the unsolicited pongs of the client's keep-alive, carry nothing to record.
                        break;
                }
            }
        }

        bool serverClosedFirst;
        lock (_writeGate)
        {
            serverClosedFirst = echo is not null && _serverClosed;
        }

        if (serverClosedFirst)
        {
            // The client answered the server's close: the closing handshake is over, and the server closes the connection.
            End();
        }
        else if (echo is { } close)
        {
            // "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a
            // Close frame in response", as soon as practical: at the next step of the clock, so that the client is not
            // re-entered while it is still sending its own.
            scheduler.Schedule(TimeSpan.Zero, Inline.Step(() => SendClose(close.Status, close.Description)));
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}
