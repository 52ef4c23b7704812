using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RxStream.Cli;

/// <summary>
/// The demo's chat back end on 127.0.0.1 at a free port: one answer, streamed token by token over Server-Sent
/// Events, a POSTed streaming body and a WebSocket, the way LLM back ends do it.
/// </summary>
internal sealed class DemoServer : IAsyncDisposable
{
    /// <summary>The SSE answer ends with an event whose data is this.</summary>
    public const string SseSentinel = "AIQA_EOF";

    /// <summary>The streamed body ends with this, written in two pieces so that it is split across reads.</summary>
    public const string BodySentinel = "LLM-EOF";

    /// <summary>The WebSocket answer ends with a message that is this.</summary>
    public const string WebSocketSentinel = "[DONE]";

    /// <summary>The answer every transport streams.</summary>
    public const string Answer =
        "RxStream turns every streaming endpoint into an IObservable of chunks. Server-Sent Events, a streamed " +
        "response body and a WebSocket all compose with the same operators: decode UTF-8 across chunk boundaries, " +
        "parse events, stop at a sentinel split across reads, and reconnect without losing a token. 🚀";

    private readonly WebApplication _app;
    private readonly TimeSpan _tokenInterval;
    private int _sseConnections;

    private DemoServer(WebApplication app, TimeSpan tokenInterval)
    {
        _app = app;
        _tokenInterval = tokenInterval;
    }

    /// <summary>Gets the server's base address.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the answer split into the tokens the server sends, each with the space that precedes it.</summary>
    public static IReadOnlyList<string> Tokens { get; } = Tokenize(Answer);

    /// <summary>Gets the token after which the first SSE connection is dropped.</summary>
    public static int DropAfterToken => Tokens.Count / 2;

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<DemoServer> StartAsync(TimeSpan tokenInterval, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new DemoServer(app, tokenInterval);
        app.UseWebSockets();
        app.MapGet("/sse/chat", server.StreamEventsAsync);
        app.MapPost("/fetch/chat", server.StreamBodyAsync);
        app.Map("/ws/chat", server.StreamWebSocketAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
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

    // One event per token, with ids 1..N, then the sentinel event. The first connection is dropped after half the
    // answer; a reconnect that sends Last-Event-ID resumes after that id, so nothing is lost or repeated.
    private async Task StreamEventsAsync(HttpContext context)
    {
        var connection = Interlocked.Increment(ref _sseConnections);
        var resumeAfter = int.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var token = context.RequestAborted;

        // A short reconnection time keeps the demo brisk; EventSource's default is a few seconds.
        await WriteAsync(context, "retry: 300\n: chat answer follows\n\n", token).ConfigureAwait(false);
        for (var i = resumeAfter; i < Tokens.Count; i++)
        {
            await Task.Delay(_tokenInterval, token).ConfigureAwait(false);
            await WriteAsync(context, $"id: {i + 1}\ndata: {Tokens[i]}\n\n", token).ConfigureAwait(false);
            if (connection == 1 && i + 1 == DropAfterToken)
            {
                context.Abort();
                return;
            }
        }

        await WriteAsync(context, $"data: {SseSentinel}\n\n", token).ConfigureAwait(false);
    }

    // The fetch pattern: POST a JSON prompt, read the answer as plain text that ends with an in-band sentinel.
    private async Task StreamBodyAsync(HttpContext context)
    {
        using var prompt = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        if (!prompt.RootElement.TryGetProperty("prompt", out _))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "a JSON body with a \"prompt\" is required" }).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        var token = context.RequestAborted;
        foreach (var piece in Tokens)
        {
            await Task.Delay(_tokenInterval, token).ConfigureAwait(false);
            await WriteAsync(context, piece, token).ConfigureAwait(false);
        }

        await WriteAsync(context, BodySentinel[..4], token).ConfigureAwait(false);
        await Task.Delay(_tokenInterval, token).ConfigureAwait(false);
        await WriteAsync(context, BodySentinel[4..], token).ConfigureAwait(false);

        // The server keeps the stream open after the sentinel, as such back ends often do: the client must stop
        // on the sentinel, not on the end of the body. The wait is bounded so the server never hangs.
        await Task.Delay(TimeSpan.FromSeconds(30), token).ConfigureAwait(false);
    }

    private async Task StreamWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var token = context.RequestAborted;
        var buffer = new byte[4096];

        // The client asks first; the answer follows as one message per token.
        var request = await socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
        if (request.MessageType == WebSocketMessageType.Close)
        {
            return;
        }

        foreach (var piece in Tokens.Append(WebSocketSentinel))
        {
            await Task.Delay(_tokenInterval, token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes(piece), WebSocketMessageType.Text, endOfMessage: true, token).ConfigureAwait(false);
        }

        // Wait (bounded) for the client's close after the sentinel, and answer it.
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(token);
        linger.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            while ((await socket.ReceiveAsync(buffer, linger.Token).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away without a close handshake; nothing is left to do.
        }
    }

    private static async Task WriteAsync(HttpContext context, string text, CancellationToken token)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), token).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
    }
}
