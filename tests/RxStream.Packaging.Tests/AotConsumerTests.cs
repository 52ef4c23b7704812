using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Packaging.Tests.Testing;
using RxStream.Tests.Testing;

namespace RxStream.Packaging.Tests;

/// <summary>Publishes tests/AotConsumer, a console app that restores RxStream from the packed packages and uses every
/// source and operator, with Native AOT, and runs the binary against a loopback server.</summary>
[Collection(PackedReleaseCollection.Name)]
public sealed partial class AotConsumerTests(PackedRelease release, ITestOutputHelper output)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ServerLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AotConsumer_PublishedWithNativeAot_HasNoTrimOrAotWarningAndStreamsFromEverySource()
    {
        var project = Path.Combine(release.Apps, "AotConsumer");
        CopyFolder(Path.Combine(Repository.Root, "tests", "AotConsumer"), project);
        var publishFolder = Path.Combine(release.Root, "consumer-bin");
        List<string> publishArgs =
        [
            "publish", project, "-c", "Release", "-o", publishFolder, "--disable-build-servers",
            $"-p:RxStreamVersion={release.Version}",
        ];
        if (NativeCompiler() is { } compiler)
        {
            publishArgs.Add($"-p:CppCompilerAndLinker={compiler}");
        }

        var publish = await ChildProcess.RunAsync("dotnet", publishArgs, project, PackedRelease.BuildLimit, release.Environment, yieldCpu: true);

        Assert.True(publish.ExitCode == 0, publish.Output);
        var warnings = TrimOrAotWarning().Matches(publish.Stdout + publish.Stderr).Select(m => m.Value).Distinct().ToList();
        Assert.True(warnings.Count == 0, string.Join('\n', warnings));
        var binary = Path.Combine(publishFolder, "AotConsumer");
        output.WriteLine($"AOT publish took {publish.Elapsed.TotalSeconds:F0} s; the binary is {new FileInfo(binary).Length:N0} bytes");
        output.WriteLine($"restored from the package sources: {string.Join(", ", Directory.GetDirectories(release.Environment["NUGET_PACKAGES"]!).Select(Path.GetFileName))}");

        var sseResumedAfter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app => MapEndpoints(app, sseResumedAfter));
        var run = await ChildProcess.RunAsync(binary, [server.BaseAddress.ToString()], publishFolder, RunLimit);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(
            """
            sse: Hello, world
            fetch: héllo|wörld
            ndjson: a,b
            reconnect: recovered
            ws: a,b
            stream: x,y

            """,
            run.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("1", await sseResumedAfter.Task.WaitAsync(ServerLimit));
        output.WriteLine($"the binary's run took {run.Elapsed.TotalSeconds:F1} s");
    }

    // The endpoints the consumer reads, each bounded: a fixed script of writes, then the end of the response.
    private static void MapEndpoints(WebApplication app, TaskCompletionSource<string> sseResumedAfter)
    {
        var sseConnections = 0;
        app.MapGet("/sse", async context =>
        {
            var connection = Interlocked.Increment(ref sseConnections);
            if (connection > 2)
            {
                // Specification: https://html.spec.whatwg.org/multipage/server-sent-events.html#server-sent-events-intro
                // "HTTP 204 No Content [...] will prevent the user agent from reconnecting."
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            if (connection == 1)
            {
                await WriteAsync(context, "retry: 10\nid: 1\ndata: {\"text\":\"Hello, \"}\n\n");
                return;
            }

            sseResumedAfter.TrySetResult(context.Request.Headers["Last-Event-ID"].ToString());
            await WriteAsync(context, "data: {\"text\":\"world\"}\n\n", "data: [DONE]\n\n");
        });

        // "é" and "ö" are cut between their two bytes, and the sentinel between "LLM-" and "EOF".
        var body = Encoding.UTF8.GetBytes("héllo\nwörld\nLLM-EOF");
        app.MapGet("/fetch", context => WriteAsync(context, body[..2], body[2..10], body[10..17], body[17..]));

        app.MapGet("/ndjson", context => WriteAsync(context, "{\"text\":\"a\"}\n{\"te", "xt\":\"b\"}\n"));

        var flakyAttempts = 0;
        app.MapGet("/flaky", async context =>
        {
            if (Interlocked.Increment(ref flakyAttempts) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await WriteAsync(context, "recovered", "LLM-", "EOF");
        });

        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var deadline = new CancellationTokenSource(ServerLimit);
            foreach (var message in new[] { "{\"text\":\"a\"}", "{\"text\":\"b\"}", "[DONE]" })
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, deadline.Token);
            }

            // The client closes the socket at the sentinel; wait for its close frame, at most until the deadline.
            var buffer = new byte[1024];
            while ((await socket.ReceiveAsync(buffer, deadline.Token)).MessageType != WebSocketMessageType.Close)
            {
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
        });
    }

    private static Task WriteAsync(HttpContext context, params string[] pieces) =>
        WriteAsync(context, [.. pieces.Select(Encoding.UTF8.GetBytes)]);

    private static async Task WriteAsync(HttpContext context, params byte[][] pieces)
    {
        foreach (var piece in pieces)
        {
            await context.Response.Body.WriteAsync(piece, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    // Native AOT links with `clang`; Debian installs clang-14 as `clang-14` only.
    private static string? NativeCompiler()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (path.Any(folder => File.Exists(Path.Combine(folder, "clang"))))
        {
            return null;
        }

        return path.SelectMany(folder => Directory.Exists(folder) ? Directory.GetFiles(folder, "clang-[0-9]*") : [])
            .Select(Path.GetFileName)
            .Where(name => VersionedClang().IsMatch(name!))
            .OrderByDescending(name => int.Parse(name!["clang-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [GeneratedRegex(@"\b(?:warning|error) IL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex TrimOrAotWarning();

    [GeneratedRegex("^clang-[0-9]+$")]
    private static partial Regex VersionedClang();
}
