using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Readme;

/// <summary>Runs the README's tour, compiled from README.md itself by tests/RxStream.ReadmeSamples, against loopback servers that play its back ends.</summary>
public sealed class ReadmeTourTests : IAsyncLifetime
{
    private const string ReadmeProject = "tests/RxStream.ReadmeSamples";
    private const string ReadmeProgram = "RxStream.ReadmeSamples.dll";

    // What the tour prints for the HTTP parts (1 to 3), then for the WebSocket part (4).
    private const string HttpOutput = "message: hello\ngreeting: wörld\nHello, world\nThe answer \n";
    private const string WebSocketOutput = "Hi there\n";

    private static readonly TimeSpan Limit = CliProcess.Limit;
    private readonly TaskCompletionSource<string> _chatRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/stream", async (HttpContext context) =>
            {
                await WriteAsync(context, "text/event-stream", "data: hello\n\n", "event: greeting\ndata: wörld\n\n", "data: [DONE]\n\n");
                await HoldOpenAsync(context);
            });
            app.MapPost("/v1/chat", async (HttpContext context) =>
            {
                using var body = new StreamReader(context.Request.Body);
                _chatRequest.TrySetResult($"{context.Request.Headers.Authorization} {await body.ReadToEndAsync(context.RequestAborted)}");
                await WriteAsync(context, "text/event-stream", "data: {\"content\":\"Hello, \"}\n\n", "data: {\"content\":\"world\"}\n\n", "data: [DONE]\n\n");
                await HoldOpenAsync(context);
            });
            app.MapPost("/llm/stream", async (HttpContext context) =>
            {
                await WriteAsync(context, "text/plain; charset=utf-8", "The answer LLM-", "EOF and what follows");
                await HoldOpenAsync(context);
            });
            app.Map("/chat", async (HttpContext context) =>
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }

                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                bound.CancelAfter(Limit);
                try
                {
                    var buffer = new byte[1024];
                    var prompt = await socket.ReceiveAsync(buffer, bound.Token);
                    if (prompt.MessageType != WebSocketMessageType.Text || Encoding.UTF8.GetString(buffer, 0, prompt.Count) != "hello")
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "say hello first", bound.Token);
                        return;
                    }

                    foreach (var message in new[] { "{\"content\":\"Hi\"}", "{\"content\":\" there\"}", "[DONE]" })
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, bound.Token);
                    }

                    // The client closes after the sentinel; answer its close.
                    while ((await socket.ReceiveAsync(buffer, bound.Token)).MessageType != WebSocketMessageType.Close)
                    {
                    }

                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", bound.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                {
                    // The client went away.
                }
            });
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Tour_HttpParts_RunAsWrittenAgainstLoopbackServers()
    {
        await using var tour = StartTour();
        await tour.WaitForStdoutAsync(HttpOutput);

        Assert.StartsWith(HttpOutput, tour.Stdout, StringComparison.Ordinal);
        var request = await _chatRequest.Task.WaitAsync(Limit);
        Assert.StartsWith("Bearer sk-example {", request, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(request["Bearer sk-example ".Length..]);
        Assert.Equal("hi", json.RootElement.GetProperty("prompt").GetString());
        Assert.True(json.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Tour_WholeProgramWithTheWebSocketPart_RunsAsWrittenAndExits0()
    {
        await using var tour = StartTour();
        var exit = await tour.WaitForExitAsync();

        Assert.True(exit == 0, tour.Stderr);
        Assert.Equal(HttpOutput + WebSocketOutput, tour.Stdout);
    }

    private static async Task WriteAsync(HttpContext context, string contentType, params string[] pieces)
    {
        context.Response.ContentType = contentType;
        foreach (var piece in pieces)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(piece), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    // Keeps a response open (bounded) until the client lets go, as the tour's back ends do after their sentinel.
    private static async Task HoldOpenAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Limit, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client closed the stream at its sentinel.
        }
    }

    private CliProcess StartTour() =>
        CliProcess.StartProgram(ReadmeProject, ReadmeProgram, _server.BaseAddress.ToString(), "ws" + _server.BaseAddress.ToString()["http".Length..]);
}
