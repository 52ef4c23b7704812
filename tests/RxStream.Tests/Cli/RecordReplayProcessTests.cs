using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Cli;
using RxStream.Testing.Recording;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Cli;

/// <summary>Records a real stream with <c>rxstream … --record FILE</c>, serves it with <c>rxstream replay FILE</c>, and checks that the same command prints the same bytes against the replay.</summary>
public sealed class RecordReplayProcessTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rxstream-record-").FullName;
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapGet("/sse", (HttpContext context) => WriteAsync(
                context,
                "text/event-stream",
                "id: 1\ndata: héllo\n\n",
                "id: 2\ndata: wör",
                "ld 🚀\n\n",
                "data: [DONE]\n\n"));
            // "ö" (C3 B6) is torn across two writes.
            app.MapPost("/fetch", (HttpContext context) => WriteBytesAsync(context, "text/plain; charset=utf-8", "The answer "u8.ToArray(), [.. "is "u8, 0xC3], [0xB6, .. " 42.\n"u8]));
            app.Map("/ws", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await socket.SendAsync("first"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.SendAsync("sec"u8.ToArray(), WebSocketMessageType.Text, false, context.RequestAborted);
                await socket.SendAsync("ond 🚀"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.SendAsync("[DONE]"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                var buffer = new byte[64];
                while (socket.State == WebSocketState.CloseSent && (await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType != WebSocketMessageType.Close)
                {
                }
            });
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Sse_RecordThenReplay_PrintsTheSameBytes()
    {
        var file = Path.Combine(_directory, "sse.jsonl");
        var (exit, original, _) = await CliProcess.RunAsync("sse", _server.Url("/sse").ToString(), "--no-reconnect", "--record", file, "-H", "Authorization: Bearer secret");
        Assert.Equal(ExitCodes.Success, exit);

        var replayed = await ReplayAsync(file, "sse", "--no-reconnect");

        Assert.Equal("héllo\nwörld 🚀\n[DONE]\n", original);
        Assert.Equal(original, replayed);
        var recording = StreamRecording.Load(file);
        Assert.Equal("sse", recording.Transport);
        var connection = Assert.Single(recording.Connections);
        Assert.Equal(200, connection.Status);
        Assert.Equal(RecordedEndKind.Completed, connection.End?.Kind);
        Assert.DoesNotContain("secret", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RecordThenReplay_PrintsTheSameBytesAndKeepsTheSplitCharacter()
    {
        var file = Path.Combine(_directory, "fetch.jsonl");
        var (exit, original, _) = await CliProcess.RunAsync("fetch", _server.Url("/fetch").ToString(), "-d", "{\"q\":1}", "--record", file);
        Assert.Equal(ExitCodes.Success, exit);

        var replayed = await ReplayAsync(file, "fetch", "-d", "{\"q\":1}");

        Assert.Equal("The answer is ö 42.\n", original);
        Assert.Equal(original, replayed);
        Assert.Equal(Encoding.UTF8.GetBytes("The answer is ö 42.\n"), StreamRecording.Load(file).Connections[0].Body());
    }

    [Fact]
    public async Task WebSocket_RecordThenReplay_PrintsTheSameBytes()
    {
        var file = Path.Combine(_directory, "ws.jsonl");
        var socketUrl = new UriBuilder(_server.Url("/ws")) { Scheme = "ws" }.Uri.ToString();
        var (exit, original, _) = await CliProcess.RunAsync("ws", socketUrl, "--record", file);
        Assert.Equal(ExitCodes.Success, exit);

        var replayed = await ReplayAsync(file, "ws");

        Assert.Equal("first\nsecond 🚀\n[DONE]\n", original);
        Assert.Equal(original, replayed);
    }

    [Fact]
    public async Task Replay_NotARecording_ExitsWithAUsageError()
    {
        var file = Path.Combine(_directory, "bad.jsonl");
        await File.WriteAllTextAsync(file, "{\"format\":\"something else\"}\n");

        var (exit, stdout, stderr) = await CliProcess.RunAsync("replay", file);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Empty(stdout);
        Assert.Contains("line 1", stderr, StringComparison.Ordinal);
    }

    // Serves the recording with `rxstream replay`, runs the same command against it, stops the replay with Ctrl+C.
    private static async Task<string> ReplayAsync(string file, string command, params string[] options)
    {
        await using var replay = CliProcess.Start("replay", file, "--speed", "10");
        var line = await replay.WaitForStderrAsync("/\n");
        var address = line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim();
        Assert.StartsWith($"* serving {file} on http://127.0.0.1:", line, StringComparison.Ordinal);
        if (command == "ws")
        {
            address = "ws" + address["http".Length..];
        }

        var (exit, stdout, stderr) = await CliProcess.RunAsync([command, address, .. options]);
        Assert.True(exit == ExitCodes.Success, stderr);
        replay.Interrupt();
        Assert.Equal(ExitCodes.Success, await replay.WaitForExitAsync());
        return stdout;
    }

    private static Task WriteAsync(HttpContext context, string contentType, params string[] parts) =>
        WriteBytesAsync(context, contentType, [.. parts.Select(Encoding.UTF8.GetBytes)]);

    private static async Task WriteBytesAsync(HttpContext context, string contentType, params byte[][] parts)
    {
        context.Response.ContentType = contentType;
        foreach (var part in parts)
        {
            await context.Response.Body.WriteAsync(part);
            await context.Response.Body.FlushAsync();
        }
    }
}
