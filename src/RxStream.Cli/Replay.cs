using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RxStream.Testing.Recording;

namespace RxStream.Cli;

/// <summary>Serves a recording on 127.0.0.1 (<c>rxstream replay FILE</c>): the same bytes, the same chunk boundaries, the original timing divided by the speed.</summary>
/// <remarks>An sse or fetch recording is served over HTTP at <c>/</c>, a ws recording as a WebSocket at <c>/</c>. A Server-Sent
/// Events client that reconnects with <c>Last-Event-ID</c> resumes after that event; any other request gets the next recorded
/// connection (the last one once they run out).</remarks>
internal static class Replay
{
    // Headers that describe the original connection's framing, not the bytes served now.
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Content-Encoding", "Date", "Server",
    };

    public static async Task<int> RunAsync(string path, int port, double speed, CancellationToken interrupt)
    {
        StreamRecording recording;
        try
        {
            recording = StreamRecording.Load(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or RecordingFormatException)
        {
            StatusLog.Error($"cannot replay '{path}': {error.Message}");
            return ExitCodes.Usage;
        }

        if (recording.Connections.Count == 0)
        {
            StatusLog.Error($"cannot replay '{path}': it holds no connection.");
            return ExitCodes.Usage;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        var served = 0;
        app.UseWebSockets();
        app.Map("/", async context =>
        {
            var number = Interlocked.Increment(ref served);
            var next = recording.Connections[Math.Min(number, recording.Connections.Count) - 1];
            if (recording.Transport == "ws")
            {
                await ServeWebSocketAsync(context, next, speed).ConfigureAwait(false);
                return;
            }

            var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
            var connection = lastEventId.Length > 0 ? recording.ResumeAfter(lastEventId) ?? next : next;
            await ServeHttpAsync(context, connection, speed).ConfigureAwait(false);
        });
        try
        {
            await app.StartAsync(interrupt).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            StatusLog.Error($"cannot listen on 127.0.0.1:{port}: {error.Message}");
            return ExitCodes.Error;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Console.Error.WriteLine($"* serving {path} on {(address.EndsWith('/') ? address : address + "/")}");
        try
        {
            await Task.Delay(Timeout.Infinite, interrupt).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop serving.
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(stop.Token).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task ServeHttpAsync(HttpContext context, RecordedConnection connection, double speed)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        response.StatusCode = connection.Status ?? StatusCodes.Status200OK;
        foreach (var (name, value) in connection.Headers)
        {
            if (!HopHeaders.Contains(name))
            {
                response.Headers.Append(name, value);
            }
        }

        var start = TimeProvider.System.GetTimestamp();
        try
        {
            await response.StartAsync(aborted).ConfigureAwait(false);
            foreach (var (offset, chunk) in connection.Chunks)
            {
                await WaitUntilAsync(start, offset, speed, aborted).ConfigureAwait(false);
                await response.Body.WriteAsync(chunk.Data, aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }

            switch (connection.End)
            {
                case { Kind: RecordedEndKind.Completed } completed:
                    await WaitUntilAsync(start, completed.Offset, speed, aborted).ConfigureAwait(false);
                    break;
                case { Kind: RecordedEndKind.Failed } failed:
                    await WaitUntilAsync(start, failed.Offset, speed, aborted).ConfigureAwait(false);
                    context.Abort();
                    break;
                default:
                    // The client let go first: the stream was still going, so hold it open until this client lets go too.
                    await Task.Delay(Timeout.Infinite, aborted).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task ServeWebSocketAsync(HttpContext context, RecordedConnection connection, double speed)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var aborted = context.RequestAborted;
        var start = TimeProvider.System.GetTimestamp();
        var clientClosed = DrainAsync(socket, aborted);
        try
        {
            foreach (var (offset, chunk) in connection.Chunks)
            {
                await WaitUntilAsync(start, offset, speed, aborted).ConfigureAwait(false);
                var type = chunk.Kind == ChunkKind.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                await socket.SendAsync(chunk.Data, type, chunk.IsEndOfMessage || chunk.Kind == ChunkKind.Stream, aborted).ConfigureAwait(false);
            }

            switch (connection.End)
            {
                case { CloseStatus: { } status } closed:
                    await WaitUntilAsync(start, closed.Offset, speed, aborted).ConfigureAwait(false);
                    await socket.CloseOutputAsync((WebSocketCloseStatus)status, closed.CloseDescription, aborted).ConfigureAwait(false);
                    break;
                case { Kind: RecordedEndKind.Completed } completed:
                    await WaitUntilAsync(start, completed.Offset, speed, aborted).ConfigureAwait(false);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                    break;
                case { Kind: RecordedEndKind.Failed } failed:
                    await WaitUntilAsync(start, failed.Offset, speed, aborted).ConfigureAwait(false);
                    socket.Abort();
                    return;
                default:
                    break;
            }

            // Wait for the client's close (or its own close answer) before the connection goes.
            await clientClosed.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException && aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    // Reads and drops what the client sends (its --send messages) until it closes; answers its close.
    private static async Task DrainAsync(WebSocket socket, CancellationToken aborted)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, aborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                    }

                    return;
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // Gone.
        }
    }

    private static Task WaitUntilAsync(long start, TimeSpan offset, double speed, CancellationToken cancellationToken)
    {
        var due = TimeSpan.FromTicks((long)(offset.Ticks / speed)) - TimeProvider.System.GetElapsedTime(start);
        return due > TimeSpan.Zero ? Task.Delay(due, cancellationToken) : Task.CompletedTask;
    }
}
