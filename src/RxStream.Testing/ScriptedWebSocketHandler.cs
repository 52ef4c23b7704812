using System.Net;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Security.Cryptography;
using System.Text;
using RxStream.Testing.Http;
using RxStream.Testing.Internal;
using RxStream.Testing.Recording;
using RxStream.Testing.WebSockets;

namespace RxStream.Testing;

/// <summary>Plays a WebSocket server from a script, in the virtual time of a scheduler, without a socket; records what each connection's client sent.</summary>
/// <remarks>
/// <para>Plug it in as the handshake's invoker (<c>WebSocketConnectOptions.Invoker = new HttpMessageInvoker(handler)</c>):
/// it answers the upgrade with <c>101 Switching Protocols</c> and a connection in memory, so the real
/// <see cref="ClientWebSocket"/> speaks RFC 6455 to it frame by frame. Give the same scheduler to the connection's
/// options and to the code under test. Any <see cref="IScheduler"/> works; a
/// <see cref="VirtualTimeScheduler{TAbsolute, TRelative}"/> such as <see cref="HistoricalScheduler"/> or
/// Microsoft.Reactive.Testing's <c>TestScheduler</c> is what it is for.</para>
/// <para>The n-th connection gets the n-th script, then the <see cref="Otherwise"/> answer. When the clock reaches a
/// scripted frame, the client's pending receive completes on the scheduler's thread, so the message reaches the
/// observer within that step. The upgrade request arrives while the client subscribes, and the connection opens at
/// the next step of the clock; a test needs no wait (<see cref="WaitForConnectionAsync"/> is for a client that
/// connects from another thread).</para>
/// </remarks>
public sealed class ScriptedWebSocketHandler : HttpMessageHandler
{
    // "The value of this header field is constructed by concatenating /key/ ... with the string
    // "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", taking the SHA-1 hash of this concatenated value".
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly IScheduler _scheduler;
    private readonly ClientActivity _activity;
    private readonly ScriptBook<ScriptedWebSocketConnection, WebSocketScript> _book;

    /// <summary>Initializes a handler whose scripts run on <paramref name="scheduler"/>'s clock.</summary>
    /// <param name="scheduler">The scheduler the test advances.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public ScriptedWebSocketHandler(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        _activity = ClientActivity.Follow();
        _book = new(_activity);
    }

    /// <summary>Gets the connections opened so far (refused upgrades included), in order.</summary>
    public IReadOnlyList<ScriptedWebSocketConnection> Connections => _book.Arrivals;

    /// <summary>Creates a handler that plays a WebSocket recording: the n-th connection gets the n-th recorded one (the last one once they run out).</summary>
    /// <param name="recording">The recording (a <c>ws</c> one).</param>
    /// <param name="scheduler">The scheduler the test advances.</param>
    /// <returns>The handler.</returns>
    /// <exception cref="ArgumentException">The recording holds no connection.</exception>
    public static ScriptedWebSocketHandler Replaying(StreamRecording recording, IScheduler scheduler)
    {
        var next = ConnectionTurns.Of(recording);
        return new ScriptedWebSocketHandler(scheduler).Otherwise(_ => WebSocketScript.FromRecording(next()));
    }

    /// <summary>Adds the script of the next connection not yet scripted.</summary>
    /// <param name="script">The script.</param>
    /// <returns>This handler.</returns>
    public ScriptedWebSocketHandler Enqueue(WebSocketScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        return Enqueue(_ => script);
    }

    /// <summary>Adds a script, chosen from the upgrade request, for the next connection not yet scripted.</summary>
    /// <param name="respond">Makes the script for the request.</param>
    /// <returns>This handler.</returns>
    public ScriptedWebSocketHandler Enqueue(Func<ScriptedRequest, WebSocketScript> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _book.Enqueue(respond);
        return this;
    }

    /// <summary>Sets the script of every connection once the enqueued ones have run out.</summary>
    /// <param name="respond">Makes the script for the request.</param>
    /// <returns>This handler.</returns>
    public ScriptedWebSocketHandler Otherwise(Func<ScriptedRequest, WebSocketScript> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _book.Otherwise(respond);
        return this;
    }

    /// <summary>Waits (in real time, bounded) until <paramref name="count"/> upgrade requests have arrived, and returns the last of their connections.</summary>
    /// <param name="count">How many connections to wait for; 1 for the first.</param>
    /// <param name="timeout">How long to wait at most; 10 s by default.</param>
    /// <returns>The <paramref name="count"/>-th connection.</returns>
    /// <exception cref="TimeoutException">Fewer connections arrived in time.</exception>
    /// <remarks>It returns once the client has also finished what it does on its own thread after sending the upgrade
    /// request, so the test can advance the clock at once.</remarks>
    public Task<ScriptedWebSocketConnection> WaitForConnectionAsync(int count = 1, TimeSpan? timeout = null) => _book.WaitAsync(count, timeout);

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Headers.NonValidated.TryGetValues("Sec-WebSocket-Key", out var keys) ? keys.FirstOrDefault() : null;
        if (key is null)
        {
            return Task.FromException<HttpResponseMessage>(new InvalidOperationException("The ScriptedWebSocketHandler answers WebSocket upgrade requests only (no Sec-WebSocket-Key header)."));
        }

        var (connection, respond) = _book.Arrive(number => new ScriptedWebSocketConnection(ScriptedRequest.From(number, request, _scheduler.Now, cancellationToken)));

        var answer = respond is null
            ? Task.FromException<HttpResponseMessage>(new InvalidOperationException($"The ScriptedWebSocketHandler has no script for connection {connection.Request}: enqueue one more, or set Otherwise."))
            : Start(respond(connection.Request), connection, request, key, cancellationToken);
        _book.Signal();
        return answer;
    }

    private Task<HttpResponseMessage> Start(WebSocketScript script, ScriptedWebSocketConnection connection, HttpRequestMessage request, string key, CancellationToken cancellationToken)
    {
        var duplex = new ScriptedDuplex(connection, _scheduler, _activity);
        var response = new PendingResponse(duplex, cancellationToken);
        response.Schedule(_scheduler, TimeSpan.Zero, () =>
        {
            var message = new HttpResponseMessage(script.Refusal ?? HttpStatusCode.SwitchingProtocols) { RequestMessage = request, Content = new ScriptedContent(duplex) };
            if (script.Refusal is null)
            {
                message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
                message.Headers.TryAddWithoutValidation("Upgrade", "websocket");
                message.Headers.TryAddWithoutValidation("Sec-WebSocket-Accept", Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid))));
                if (script.SubProtocol is { } protocol)
                {
                    message.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", protocol);
                }
            }
            else if (script.RetryAfter is { } delay)
            {
                message.Headers.TryAddWithoutValidation("Retry-After", ((long)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            response.Answer(message);
        });

        if (script.Refusal is null)
        {
            foreach (var step in script.Steps)
            {
                response.Schedule(_scheduler, step.At, () => Play(duplex, step));
            }
        }

        return response.Task;
    }

    private static void Play(ScriptedDuplex duplex, WebSocketScript.Step step)
    {
        switch (step.Kind)
        {
            case WebSocketScript.StepKind.Frame:
                var opcode = step.Type == WebSocketMessageType.Text ? WebSocketFrames.Text : WebSocketFrames.Binary;
                duplex.Deliver(WebSocketFrames.Encode(duplex.NextOpcode(opcode, step.EndOfMessage), step.Data.Span, step.EndOfMessage));
                break;
            case WebSocketScript.StepKind.Close:
                duplex.SendClose(step.Status, step.Description);

                // The client answers the close on a thread of its own (ClientWebSocket hands its closing handshake over):
                // wait until it has let the connection go, so that its end happens at this step's time.
                duplex.WaitUntilReleased();
                break;
            default:
                // The connection ends without a close frame: the client's next read finds the end of the stream.
                duplex.End();
                duplex.WaitUntilReleased();
                break;
        }
    }
}
