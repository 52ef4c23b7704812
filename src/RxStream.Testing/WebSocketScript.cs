using System.Net;
using System.Net.WebSockets;
using System.Text;
using RxStream.Testing.Recording;

namespace RxStream.Testing;

/// <summary>Scripts one WebSocket connection in virtual time: the upgrade's answer, each message or frame at a time after the request arrived, and how the server ends it.</summary>
/// <remarks>
/// <para>Every time is counted from the moment the upgrade request reaches the <see cref="ScriptedWebSocketHandler"/>.
/// By default the upgrade is accepted at once and the connection stays open after the last message until the client
/// closes it. The methods change this script and return it.</para>
/// </remarks>
public sealed class WebSocketScript
{
    private readonly List<Step> _steps = [];

    private WebSocketScript(HttpStatusCode? refusal) => Refusal = refusal;

    /// <summary>Gets the status the upgrade is refused with, or <see langword="null"/> when it is accepted.</summary>
    public HttpStatusCode? Refusal { get; }

    /// <summary>Gets the sub-protocol the server picks, if any.</summary>
    public string? SubProtocol { get; private set; }

    internal TimeSpan? RetryAfter { get; private set; }

    internal IReadOnlyList<Step> Steps => _steps;

    /// <summary>Creates a script that accepts the upgrade, optionally with a sub-protocol the client offered.</summary>
    /// <param name="subProtocol">The sub-protocol to pick.</param>
    /// <returns>The script.</returns>
    public static WebSocketScript Accept(string? subProtocol = null) => new(null) { SubProtocol = subProtocol };

    /// <summary>Creates a script that refuses the upgrade with an HTTP status (401, 404, 503…), optionally with <c>Retry-After</c>.</summary>
    /// <param name="status">The status; not 101.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, in whole seconds, if any.</param>
    /// <returns>The script.</returns>
    public static WebSocketScript Refuse(HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        if (status == HttpStatusCode.SwitchingProtocols)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "101 accepts the upgrade; use Accept.");
        }

        return new(status) { RetryAfter = retryAfter };
    }

    /// <summary>Creates a script that plays one connection of a WebSocket recording: each message or frame at its time, and the server's close or drop.</summary>
    /// <param name="connection">The recorded connection.</param>
    /// <returns>The script.</returns>
    public static WebSocketScript FromRecording(RecordedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var script = Accept();
        foreach (var (offset, chunk) in connection.Chunks)
        {
            script.SendFrame(offset, chunk.Data, chunk.Kind == ChunkKind.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, chunk.IsEndOfMessage || chunk.Kind == ChunkKind.Stream);
        }

        switch (connection.End)
        {
            case { Kind: RecordedEndKind.Completed } completed:
                script.Close(completed.Offset, (WebSocketCloseStatus)(completed.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure), completed.CloseDescription);
                break;
            case { Kind: RecordedEndKind.Failed, CloseStatus: { } status } closed:
                script.Close(closed.Offset, (WebSocketCloseStatus)status, closed.CloseDescription);
                break;
            case { Kind: RecordedEndKind.Failed } dropped:
                script.Drop(dropped.Offset);
                break;
            default:
                break;
        }

        return script;
    }

    /// <summary>Sends a whole text message at <paramref name="at"/>.</summary>
    /// <param name="at">When it arrives.</param>
    /// <param name="text">The message.</param>
    /// <returns>This script.</returns>
    public WebSocketScript SendText(TimeSpan at, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendFrame(at, Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true);
    }

    /// <summary>Sends a whole binary message at <paramref name="at"/>.</summary>
    /// <param name="at">When it arrives.</param>
    /// <param name="data">The message.</param>
    /// <returns>This script.</returns>
    public WebSocketScript SendBinary(TimeSpan at, ReadOnlyMemory<byte> data) => SendFrame(at, data, WebSocketMessageType.Binary, endOfMessage: true);

    /// <summary>Sends one frame at <paramref name="at"/>: a message may span several, the last with <paramref name="endOfMessage"/> set.</summary>
    /// <param name="at">When it arrives.</param>
    /// <param name="data">The frame's payload.</param>
    /// <param name="type">The message's type (the first frame says it; the others are continuations).</param>
    /// <param name="endOfMessage">Whether the frame ends its message.</param>
    /// <returns>This script.</returns>
    public WebSocketScript SendFrame(TimeSpan at, ReadOnlyMemory<byte> data, WebSocketMessageType type, bool endOfMessage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        if (type == WebSocketMessageType.Close)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Use Close to close.");
        }

        _steps.Add(new Step(at, StepKind.Frame, data, type, endOfMessage, null, null));
        return this;
    }

    /// <summary>Closes the connection from the server at <paramref name="at"/> with a status and reason.</summary>
    /// <param name="at">When the close frame arrives.</param>
    /// <param name="status">The close status (1000 normal, 1001 going away, 1011 server error…).</param>
    /// <param name="description">The reason, if any.</param>
    /// <returns>This script.</returns>
    public WebSocketScript Close(TimeSpan at, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? description = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _steps.Add(new Step(at, StepKind.Close, ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Close, true, status, description));
        return this;
    }

    /// <summary>Drops the connection at <paramref name="at"/> without a close frame (the client sees 1006).</summary>
    /// <param name="at">When it drops.</param>
    /// <returns>This script.</returns>
    public WebSocketScript Drop(TimeSpan at)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _steps.Add(new Step(at, StepKind.Drop, ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Close, true, null, null));
        return this;
    }

    internal enum StepKind
    {
        Frame,
        Close,
        Drop,
    }

    internal sealed record Step(TimeSpan At, StepKind Kind, ReadOnlyMemory<byte> Data, WebSocketMessageType Type, bool EndOfMessage, WebSocketCloseStatus? Status, string? Description);
}
