using System.Globalization;
using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text;
using System.Text.Json;

namespace RxStream.Chat.Web.Backend;

/// <summary>
/// The embedded chat back end: one answer, streamed token by token over Server-Sent Events, a POSTed streaming body
/// and a WebSocket, the way LLM back ends do it. The first SSE connection of each conversation is dropped half-way,
/// so the page shows a reconnect that resumes with <c>Last-Event-ID</c>.
/// </summary>
public sealed class DemoChatServer : IDisposable
{
    /// <summary>The SSE and WebSocket answers end with this.</summary>
    public const string DoneSentinel = "[DONE]";

    /// <summary>The streamed body ends with this, written in two pieces so that it is split across reads.</summary>
    public const string BodySentinel = "LLM-EOF";

    /// <summary>The answer every transport streams; not ASCII throughout, so that UTF-8 split across reads shows.</summary>
    public const string Answer =
        "RxStream turns every streaming endpoint into an IObservable of chunks: Server-Sent Events, a streamed body " +
        "and a WebSocket compose with the same operators. It decodes UTF-8 split across reads (naïve café, 日本語, " +
        "Ελληνικά), stops at a sentinel split in two, and resumes after a drop without losing a token. 🚀";

    // Bounded: the events of the last few hundred requests are enough for a test or a look.
    private const int EventsKept = 512;

    private readonly ReplaySubject<DemoEvent> _events = new(EventsKept);
    private readonly Dictionary<string, int> _sseConnections = [];
    private readonly TimeProvider _time;

    /// <summary>Initializes the server with the pace of its tokens.</summary>
    /// <param name="tokenInterval">The pause before each token.</param>
    /// <param name="time">The clock that paces the tokens and stamps the events.</param>
    public DemoChatServer(TimeSpan tokenInterval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenInterval, TimeSpan.Zero);
        TokenInterval = tokenInterval;
        _time = time;
    }

    /// <summary>Gets the answer split into the tokens the server sends, each with the space that precedes it.</summary>
    public static IReadOnlyList<string> Tokens { get; } = Tokenize(Answer);

    /// <summary>Gets the number of tokens after which the first SSE connection of a conversation is dropped.</summary>
    public static int DropAfterToken => Tokens.Count / 2;

    /// <summary>Gets the pause before each token.</summary>
    public TimeSpan TokenInterval { get; }

    /// <summary>Gets what happened to the requests, the last few hundred replayed to each new subscriber.</summary>
    public IObservable<DemoEvent> Events => _events.AsObservable();

    /// <summary>Maps the three endpoints under <c>/demo</c>.</summary>
    /// <param name="endpoints">The application's endpoints.</param>
    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/demo/sse", StreamEventsAsync);
        endpoints.MapPost("/demo/fetch", StreamBodyAsync);
        endpoints.Map("/demo/ws", StreamWebSocketAsync);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _events.OnCompleted();
        _events.Dispose();
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                tokens.Add(text[start..i]);
                start = i;
            }
        }

        return tokens;
    }

    private static async Task WriteAsync(HttpContext context, string text, CancellationToken token)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), token);
        await context.Response.Body.FlushAsync(token);
    }

    private void Report(string transport, string conversation, DemoEventKind kind, int tokensSent)
    {
        lock (_events)
        {
            _events.OnNext(new DemoEvent(transport, conversation, kind, tokensSent, _time.GetUtcNow()));
        }
    }

    // Runs one answer loop and reports how it ended; a client that leaves shows up as the request's cancellation.
    private async Task ServeAsync(string transport, string conversation, int tokensBefore, Func<Action, CancellationToken, Task<DemoEventKind>> serve, CancellationToken aborted)
    {
        Report(transport, conversation, DemoEventKind.Connected, tokensBefore);
        var sent = tokensBefore;
        try
        {
            var end = await serve(() => sent++, aborted);
            Report(transport, conversation, end, sent);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or WebSocketException)
        {
            Report(transport, conversation, DemoEventKind.ClientLeft, sent);
        }
    }

    // One event per token, with ids 1..N, then the sentinel event. The first connection of a conversation is dropped
    // half-way; a reconnect that sends Last-Event-ID resumes after that id, so nothing is lost or repeated.
    private Task StreamEventsAsync(HttpContext context)
    {
        var conversation = context.Request.Query["conversation"].ToString();
        var resumeAfter = int.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        int connection;
        lock (_sseConnections)
        {
            connection = _sseConnections[conversation] = _sseConnections.GetValueOrDefault(conversation) + 1;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        return ServeAsync("sse", conversation, resumeAfter, async (sent, token) =>
        {
            // A short reconnection time keeps the demo brisk; EventSource's default is a few seconds.
            await WriteAsync(context, "retry: 600\n: the answer follows\n\n", token);
            for (var i = resumeAfter; i < Tokens.Count; i++)
            {
                await Task.Delay(TokenInterval, _time, token);
                await WriteAsync(context, $"id: {i + 1}\ndata: {Tokens[i]}\n\n", token);
                sent();
                if (connection == 1 && i + 1 == DropAfterToken)
                {
                    context.Abort();
                    return DemoEventKind.Dropped;
                }
            }

            await WriteAsync(context, $"data: {DoneSentinel}\n\n", token);
            return DemoEventKind.Finished;
        }, context.RequestAborted);
    }

    // The fetch pattern: POST a JSON prompt, read the answer as plain text that ends with an in-band sentinel.
    private async Task StreamBodyAsync(HttpContext context)
    {
        var conversation = context.Request.Query["conversation"].ToString();
        using var prompt = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (!prompt.RootElement.TryGetProperty("prompt", out _))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "a JSON body with a \"prompt\" is required" });
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await ServeAsync("fetch", conversation, 0, async (sent, token) =>
        {
            foreach (var piece in Tokens)
            {
                await Task.Delay(TokenInterval, _time, token);
                await WriteAsync(context, piece, token);
                sent();
            }

            await WriteAsync(context, BodySentinel[..4], token);
            await Task.Delay(TokenInterval, _time, token);
            await WriteAsync(context, BodySentinel[4..], token);

            // Such back ends often keep the body open after the sentinel: the client must stop on the sentinel, not
            // on the end of the body. Its leaving now is the normal end; the wait is bounded, so the server ends either way.
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _time, token);
            }
            catch (OperationCanceledException)
            {
            }

            return DemoEventKind.Finished;
        }, context.RequestAborted);
    }

    private async Task StreamWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var conversation = context.Request.Query["conversation"].ToString();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];

        // The client asks first; the answer follows as one message per token.
        var request = await socket.ReceiveAsync(buffer, context.RequestAborted);
        if (request.MessageType == WebSocketMessageType.Close)
        {
            return;
        }

        // A client that stops sends a close frame (or drops the connection): reading meanwhile notices either at once.
        // A close after the whole answer is the normal end, not a client leaving.
        using var left = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = ReadUntilCloseAsync(socket, buffer, context.RequestAborted).ContinueWith(
            _ =>
            {
                if (!answered.Task.IsCompleted)
                {
                    left.Cancel();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await ServeAsync("websocket", conversation, 0, async (sent, token) =>
        {
            foreach (var piece in Tokens)
            {
                await Task.Delay(TokenInterval, _time, token);
                await socket.SendAsync(Encoding.UTF8.GetBytes(piece), WebSocketMessageType.Text, endOfMessage: true, token);
                sent();
            }

            await Task.Delay(TokenInterval, _time, token);
            await socket.SendAsync(Encoding.UTF8.GetBytes(DoneSentinel), WebSocketMessageType.Text, endOfMessage: true, token);

            answered.SetResult();

            // Wait (bounded) for the client's close after the sentinel.
            await reading.WaitAsync(TimeSpan.FromSeconds(5), _time, context.RequestAborted);
            return DemoEventKind.Finished;
        }, left.Token);
        if (!reading.IsCompleted)
        {
            // The server gave up waiting: end the read, which then ends by itself.
            context.Abort();
        }

        await reading;
        if (socket.State is WebSocketState.CloseReceived)
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", closing.Token);
        }
    }

    private static async Task ReadUntilCloseAsync(WebSocket socket, byte[] buffer, CancellationToken aborted)
    {
        try
        {
            while ((await socket.ReceiveAsync(buffer, aborted)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The connection is gone; the caller tells the sender.
        }
    }
}
