using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Cli;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Cli;

/// <summary>Runs the built <c>rxstream</c> as a real process against Kestrel on 127.0.0.1 and checks its contract: stdout, stderr and exit codes.</summary>
public sealed class CliProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = CliProcess.Limit;
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    // What /fetch/text sends, decoded: "ö" arrives torn across two writes and 0xFF becomes U+FFFD.
    private const string FetchText = "héllo \"wörld\" \\ 🚀\n\uFFFD\tend";

    // What /sse/events prints as text: each event's data and a newline.
    private const string SseEventsText = "first\nhéllo wörld 🚀 \"quoted\" \\ back\nline one\nline two\n<b>bye</b> & 'so long'\n";

    // Signals the endpoints raise, awaited (bounded) by the tests; one server, hence one set, per test.
    private readonly TaskCompletionSource _proceed = NewSignal();
    private readonly TaskCompletionSource<long> _sentinelSent = NewSignal<long>();
    private readonly TaskCompletionSource<long> _disconnected = NewSignal<long>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _socketEnded = NewSignal<WebSocketCloseStatus?>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lastEventIds = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/sse/events", (HttpContext context) => WriteEventsAsync(
                context,
                ": a comment, then a retry alone, which dispatches nothing\nretry: 10000\n\n",
                "data: first\n\n",
                "id: 7\nevent: greeting\ndata: héllo wörld 🚀 \"quoted\" \\ back\n\n",
                "data: line one\r\ndata: line two\n\n",
                "event: done\nid: 8\ndata: <b>bye</b> & 'so long'\n\n"));
            app.MapGet("/sse/answer", async (HttpContext context) =>
            {
                await WriteEventsAsync(context, "data: Hel\n\n", "data: lo\n\n", "data: [DONE]\n\n", "data: after the sentinel\n\n");
                _sentinelSent.TrySetResult(Stopwatch.GetTimestamp());
                await HoldOpenAsync(context);
            });
            app.Map("/sse/resume", async (HttpContext context) =>
            {
                var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
                _lastEventIds.Enqueue(lastEventId);
                if (lastEventId != "1")
                {
                    // The first connection breaks off mid-stream (a network error, not an end) once the CLI has
                    // printed its event.
                    await WriteEventsAsync(context, "retry: 1\nid: 1\ndata: one\n\n");
                    await _proceed.Task.WaitAsync(Limit, context.RequestAborted);
                    context.Abort();
                    return;
                }

                await WriteEventsAsync(context, "id: 2\ndata: two\n\ndata: [DONE]\n\n");
                await HoldOpenAsync(context);
            });
            app.MapGet("/sse/ticks", async (HttpContext context) =>
            {
                await WriteEventsAsync(context, "data: tick\n\n");
                await _proceed.Task.WaitAsync(Limit, context.RequestAborted);

                // The reader's end of the pipe closes only once its pending read returns, so one more event is not
                // enough: keep them coming (bounded) until the CLI lets go, then hold the stream open.
                using var noted = context.RequestAborted.Register(() => _disconnected.TrySetResult(Stopwatch.GetTimestamp()));
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    for (var i = 0; i < 100_000 && Stopwatch.GetElapsedTime(started) < Limit && !context.RequestAborted.IsCancellationRequested; i++)
                    {
                        await WriteEventsAsync(context, "data: tock\n\n");
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // The client went away, which is what the test waits for.
                }

                await HoldOpenAsync(context);
            });
            app.MapGet("/sse/endless", async (HttpContext context) =>
            {
                await WriteEventsAsync(context, "data: tick\n\n");
                await HoldOpenAsync(context);
            });
            app.MapGet("/sse/nocontent", (HttpContext context) =>
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            });
            app.MapGet("/html", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync("<!doctype html>\n<p>Please sign in</p>\n");
            });
            app.MapGet("/fail", async (HttpContext context) =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\n  \"error\": \"the model is overloaded\"\n}\n");
            });
            app.MapGet("/fetch/sentinel", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                var abort = context.RequestAborted;

                // A BOM, then "ö" torn between two writes, then the sentinel torn between two more.
                await WriteAsync(context, [.. Bom, .. "Hello, w"u8, 0xC3]);
                await WriteAsync(context, [0xB6, .. "rld! 42 ≠ 41. LLM-"u8]);

                // The test lets the rest go only once the CLI has printed the first part, so the sentinel really
                // arrives in two reads.
                await _proceed.Task.WaitAsync(Limit, abort);
                await WriteAsync(context, "EOF and what follows the sentinel"u8.ToArray());
                _sentinelSent.TrySetResult(Stopwatch.GetTimestamp());
                await HoldOpenAsync(context);
            });
            app.MapGet("/fetch/text", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                await WriteAsync(context, [.. "héllo \"w"u8, 0xC3]);
                await WriteAsync(context, [0xB6, .. "rld\" \\ 🚀\n"u8, 0xFF, .. "\tend"u8]);
            });
            app.MapGet("/fetch/endless", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain";
                await WriteAsync(context, "tick\n"u8.ToArray());
                await HoldOpenAsync(context);
            });
            app.Map("/echo", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(
                    $"{context.Request.Method}\n{context.Request.ContentType}\n{context.Request.Headers.Authorization}\n" +
                    $"{context.Request.Headers["X-Trace"]}\n{Convert.ToHexString(body.ToArray())}\n");
            });
            app.Map("/ws/upper", (HttpContext context) => ServeSocketAsync(context, async (socket, abort) =>
            {
                while (await ReceiveTextAsync(socket, abort) is { } text)
                {
                    await SendTextAsync(socket, text.ToUpperInvariant(), abort);
                    if (text == "world")
                    {
                        await SendTextAsync(socket, "bye", abort);
                        await SendTextAsync(socket, "after the sentinel", abort);
                    }
                }
            }));
            app.Map("/ws/kinds", (HttpContext context) => ServeSocketAsync(context, async (socket, abort) =>
            {
                await SendTextAsync(socket, "héllo", abort);
                await socket.SendAsync(new byte[] { 0, 1, 2, 0xFF }, WebSocketMessageType.Binary, endOfMessage: true, abort);
                await SendTextAsync(socket, "bye", abort);
                while (await ReceiveTextAsync(socket, abort) is not null)
                {
                }
            }));
            app.Map("/ws/endless", (HttpContext context) => ServeSocketAsync(context, async (socket, abort) =>
            {
                await SendTextAsync(socket, "tick", abort);
                while (await ReceiveTextAsync(socket, abort) is not null)
                {
                }
            }));
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("sse")]
    [InlineData("sse {url} --output xml")]
    [InlineData("fetch {url} --unknown-option")]
    [InlineData("nonsense {url}")]
    [InlineData("sse {url} --reconnect --no-reconnect")]
    [InlineData("fetch {url} -d @/nonexistent/rxstream-body")]
    [InlineData("demo --transport carrier-pigeon")]
    public async Task Cli_UsageError_Exits2WithTheReasonOnStderrAndNothingOnStdout(string commandLine)
    {
        var args = commandLine.Replace("{url}", _server.Url("/sse/events").ToString(), StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var (exit, stdout, stderr) = await CliProcess.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("rxstream: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(0, _server.OpenRequests);
    }

    [Fact]
    public async Task Sse_JsonlWithoutReconnect_PrintsOneObjectPerEventWithTypeDataAndPersistingIdThenExits0()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/sse/events").ToString(), "--output", "jsonl", "--no-reconnect");

        Assert.Equal(
            """
            {"type":"message","data":"first","id":""}
            {"type":"greeting","data":"héllo wörld 🚀 \"quoted\" \\ back","id":"7"}
            {"type":"message","data":"line one\nline two","id":"7"}
            {"type":"done","data":"<b>bye</b> & 'so long'","id":"8"}

            """.ReplaceLineEndings("\n"),
            stdout);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.All(stdout.TrimEnd('\n').Split('\n'), line => JsonDocument.Parse(line).Dispose());
        Assert.DoesNotContain("rxstream: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sse_TextWithoutReconnect_PrintsEachEventsDataAndANewlineWithStatusOnStderrThenExits0()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/sse/events").ToString(), "--no-reconnect");

        Assert.Equal(SseEventsText, stdout);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("* open: 200 text/event-stream\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stderr);
    }

    [Fact]
    public async Task Sse_Quiet_LeavesStderrEmpty()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/sse/events").ToString(), "--no-reconnect", "-q");

        Assert.Equal((ExitCodes.Success, SseEventsText, string.Empty), (exit, stdout, stderr));
    }

    [Fact]
    public async Task Sse_UntilSentinelEvent_PrintsTheEventsBeforeItClosesAndExits0()
    {
        await using var cli = CliProcess.Start("sse", _server.Url("/sse/answer").ToString(), "--until", "[DONE]", "-q");

        var exit = await cli.WaitForExitAsync();

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("Hel\nlo\n", cli.Stdout);
        Assert.InRange(Stopwatch.GetElapsedTime(await _sentinelSent.Task, await _disconnected.Task.WaitAsync(Limit)), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Sse_NoContent_Exits0WithoutReconnecting()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync("sse", _server.Url("/sse/nocontent").ToString());

        Assert.Equal((ExitCodes.Success, string.Empty), (exit, stdout));
    }

    [Fact]
    public async Task Fetch_UntilSentinelSplitAcrossWrites_PrintsExactlyTheTextBeforeItAbortsAndExits0Promptly()
    {
        await using var cli = CliProcess.Start("fetch", _server.Url("/fetch/sentinel").ToString(), "--until", "LLM-EOF");

        // The part before the torn sentinel is printed as it arrives, before the sentinel is complete.
        await cli.WaitForStdoutAsync("42 ≠ 41. ");
        _proceed.SetResult();
        var exit = await cli.WaitForExitAsync();
        var exited = Stopwatch.GetTimestamp();

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("Hello, wörld! 42 ≠ 41. "u8.ToArray(), cli.StdoutBytes);

        // The server holds the response open for 20 s; the CLI lets go at once rather than drain it for reuse.
        var sentinelSent = await _sentinelSent.Task;
        Assert.InRange(Stopwatch.GetElapsedTime(sentinelSent, await _disconnected.Task.WaitAsync(Limit)), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.InRange(Stopwatch.GetElapsedTime(sentinelSent, exited), TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Fetch_DataFromFileWithHeaders_PostsTheFilesBytesAndTheHeaders()
    {
        var path = Path.GetTempFileName();
        try
        {
            byte[] body = [.. "{\"prompt\": \"héllo\"}\r\n"u8, 0x00, 0xFF];
            await File.WriteAllBytesAsync(path, body);

            var (exit, stdout, stderr) = await CliProcess.RunAsync(
                "fetch", _server.Url("/echo").ToString(), "-d", "@" + path, "-H", "Authorization: Bearer s3cret", "--header", "X-Trace:  abc 123 ", "-q");

            Assert.Equal($"POST\napplication/json\nBearer s3cret\nabc 123\n{Convert.ToHexString(body)}\n", stdout);
            Assert.Equal((ExitCodes.Success, string.Empty), (exit, stderr));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("-X put -d hi", "PUT\napplication/octet-stream\n\n\n6869\n")]
    [InlineData("--method delete", "DELETE\n\n\n\n\n")]
    public async Task Fetch_MethodAndData_SendTheMethodTheContractNames(string options, string expected)
    {
        var args = new[] { "fetch", _server.Url("/echo").ToString(), "-q" }.Concat(options.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();

        var (exit, stdout, _) = await CliProcess.RunAsync(args);

        Assert.Equal((ExitCodes.Success, expected), (exit, stdout));
    }

    [Fact]
    public async Task Fetch_Text_PrintsTheDecodedBodyExactlyAsItArrives()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/text").ToString(), "-q");

        Assert.Equal((ExitCodes.Success, FetchText), (exit, stdout));
    }

    [Fact]
    public async Task Fetch_Jsonl_PrintsTextObjectsWhoseConcatenationIsTheBody()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/text").ToString(), "--output", "jsonl", "-q");

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var text = string.Concat(lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()));
        Assert.Equal(ExitCodes.Success, exit);
        Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
        Assert.Equal(FetchText, text);
    }

    [Fact]
    public async Task WebSocket_SendsThenUntil_PrintsTheRepliesBeforeTheSentinelClosesCleanlyAndExits0()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("ws", WebSocketUrl("/ws/upper"), "--send", "hello", "--send", "world", "--until", "bye");

        Assert.Equal("HELLO\nWORLD\n", stdout);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.DoesNotContain("rxstream: ", stderr, StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await _socketEnded.Task.WaitAsync(Limit));
    }

    [Fact]
    public async Task WebSocket_Jsonl_PrintsTextAsTextAndBinaryAsBase64()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync("ws", WebSocketUrl("/ws/kinds"), "--output", "jsonl", "--until", "bye", "-q");

        Assert.Equal("{\"type\":\"text\",\"data\":\"héllo\"}\n{\"type\":\"binary\",\"data\":\"AAEC/w==\"}\n", stdout);
        Assert.Equal(ExitCodes.Success, exit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-d {} --reconnect")]
    public async Task Sse_DroppedMidStream_ReconnectsWithLastEventIdAndPrintsEveryEventOnce(string options)
    {
        var args = new[] { "sse", _server.Url("/sse/resume").ToString(), "--until", "[DONE]", "-q" }.Concat(options.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        await using var cli = CliProcess.Start(args);
        await cli.WaitForStdoutAsync("one\n");

        _proceed.SetResult();
        var exit = await cli.WaitForExitAsync();

        Assert.Equal((ExitCodes.Success, "one\ntwo\n"), (exit, cli.Stdout));
        Assert.Equal(["", "1"], _lastEventIds);
    }

    [Fact]
    public async Task Sse_PostDroppedWithoutReconnect_Exits1WithOneLineAndSendsNothingAgain()
    {
        await using var cli = CliProcess.Start("sse", _server.Url("/sse/resume").ToString(), "-d", "{}", "--until", "[DONE]", "-q");
        await cli.WaitForStdoutAsync("one\n");

        _proceed.SetResult();
        var exit = await cli.WaitForExitAsync();

        Assert.Equal((ExitCodes.Error, "one\n"), (exit, cli.Stdout));
        AssertOneLine(cli.Stderr);
        Assert.Equal([""], _lastEventIds);
    }

    // Two seconds, not less: the idle clock starts with the request, and on a loaded machine the first chunk alone can take longer than a fraction of a second.
    [Fact]
    public async Task Fetch_IdleTimeoutWithoutReconnect_Exits1WithOneLineAndLetsGo()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/endless").ToString(), "--idle-timeout", "2", "-q");

        Assert.Equal((ExitCodes.Error, "tick\n"), (exit, stdout));
        AssertOneLine(stderr);
        await _disconnected.Task.WaitAsync(Limit);
    }

    [Fact]
    public async Task Sse_StdoutClosedByItsReader_Exits1WithOneLineAndLetsGo()
    {
        await using var cli = CliProcess.Start("sse", _server.Url("/sse/ticks").ToString(), "-q");
        await cli.WaitForStdoutAsync("tick\n");

        cli.CloseStdout();
        _proceed.SetResult();
        var exit = await cli.WaitForExitAsync();

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains("stdout", AssertOneLine(cli.Stderr), StringComparison.Ordinal);
        await _disconnected.Task.WaitAsync(Limit);
    }

    [Fact]
    public async Task Fetch_Http500WithJsonBody_Exits1WithOneLineShowingTheStatusAndTheBody()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/fail").ToString());

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal(string.Empty, stdout);
        var line = AssertOneLine(stderr);
        Assert.Contains("500", line, StringComparison.Ordinal);
        Assert.Contains("{ \"error\": \"the model is overloaded\" }", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sse_HtmlAnswer_Exits1WithOneLineNamingTheContentType()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/html").ToString(), "-q");

        Assert.Equal((ExitCodes.Error, string.Empty), (exit, stdout));
        Assert.Contains("text/html", AssertOneLine(stderr), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fetch", "http")]
    [InlineData("sse", "http")]
    [InlineData("ws", "ws")]
    public async Task Cli_ConnectionRefused_Exits1WithOneLineSayingSo(string command, string scheme)
    {
        var url = $"{scheme}://127.0.0.1:{UnusedPort()}/";

        var (exit, stdout, stderr) = await CliProcess.RunAsync(command, url, "--max-retries", "1", "-q");

        Assert.Equal((ExitCodes.Error, string.Empty), (exit, stdout));
        Assert.Contains("refused", AssertOneLine(stderr), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WebSocket_UpgradeRefused_Exits1WithTheSameHttpStatusLineAsFetch()
    {
        // Nothing is mapped at this path: Kestrel answers 404 to the GET and to the upgrade request alike.
        var (fetchExit, _, fetchError) = await CliProcess.RunAsync("fetch", _server.Url("/nowhere").ToString());
        var (exit, stdout, stderr) = await CliProcess.RunAsync("ws", WebSocketUrl("/nowhere"));

        Assert.Equal((ExitCodes.Error, string.Empty), (exit, stdout));
        Assert.Equal(ExitCodes.Error, fetchExit);
        Assert.Equal("rxstream: error: HTTP 404 Not Found", AssertOneLine(stderr));
        Assert.Equal(AssertOneLine(fetchError), AssertOneLine(stderr));
    }

    [Theory]
    [InlineData("sse", "/sse/endless")]
    [InlineData("fetch", "/fetch/endless")]
    [InlineData("ws", "/ws/endless")]
    public async Task Cli_SigintOnEndlessStream_Exits130AfterTheServerSeesTheDisconnectWithinASecond(string command, string path)
    {
        var url = command == "ws" ? WebSocketUrl(path) : _server.Url(path).ToString();
        await using var cli = CliProcess.Start(command, url);
        await cli.WaitForStdoutAsync("tick\n");

        var signalled = Stopwatch.GetTimestamp();
        cli.Interrupt();
        var exit = await cli.WaitForExitAsync();
        var disconnected = await _disconnected.Task.WaitAsync(Limit);

        Assert.Equal(ExitCodes.Interrupted, exit);
        Assert.Equal("tick\n", cli.Stdout);
        Assert.InRange(Stopwatch.GetElapsedTime(signalled, disconnected), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Demo_AllTransports_ExitsByItselfWith0()
    {
        // A guard against a demo that never ends, not a speed target: it paces its tokens and takes about 6 s, and a
        // machine running the other test assemblies beside it stretched that past 10 s.
        var started = Stopwatch.GetTimestamp();

        var (exit, stdout, stderr) = await CliProcess.RunAsync("demo");

        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Equal(3, stdout.Split(DemoServer.Answer).Length - 1);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(45));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string AssertOneLine(string stderr)
    {
        Assert.EndsWith("\n", stderr, StringComparison.Ordinal);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("rxstream: ", line, StringComparison.Ordinal);
        return line;
    }

    // A port nothing listens on: bound, read, released. Another process could take it in between, which on a test
    // machine does not happen in practice.
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WriteAsync(HttpContext context, byte[] bytes)
    {
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteEventsAsync(HttpContext context, params string[] events)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.ContentType = "text/event-stream";
        }

        foreach (var text in events)
        {
            await WriteAsync(context, Encoding.UTF8.GetBytes(text));
        }
    }

    private static async Task<string?> ReceiveTextAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(message.ToArray());
    }

    private static Task SendTextAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private string WebSocketUrl(string path) => "ws" + _server.Url(path).ToString()["http".Length..];

    // Keeps a response open until the client goes away (or the bound passes), and notes when the client went.
    private async Task HoldOpenAsync(HttpContext context)
    {
        using var noted = context.RequestAborted.Register(() => _disconnected.TrySetResult(Stopwatch.GetTimestamp()));
        try
        {
            await Task.Delay(Limit, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away, which is what the tests wait for.
        }
    }

    // Accepts a socket, runs the conversation bounded by the limit, and notes how it ended: the client's close
    // status after a closing handshake, or null (and the time) when the client dropped the connection.
    private async Task ServeSocketAsync(HttpContext context, Func<WebSocket, CancellationToken, Task> converse)
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
            await converse(socket, bound.Token);
            if (socket.State == WebSocketState.CloseReceived)
            {
                _disconnected.TrySetResult(Stopwatch.GetTimestamp());
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", bound.Token);
            }

            _socketEnded.TrySetResult(socket.CloseStatus);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client's close frame, if one came: on a loaded machine this server may answer it after the client's
            // close timeout (2 s), which then aborts, but what the client sent is what the tests check.
            _disconnected.TrySetResult(Stopwatch.GetTimestamp());
            _socketEnded.TrySetResult(socket.CloseStatus);
        }
    }

    [Theory]
    [InlineData("-X", "POST")]
    [InlineData("-d", "hello")]
    [InlineData("--method", "GET")]
    public async Task WebSocket_RequestMethodOrBody_IsAUsageErrorExit2(string option, string value)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("ws", WebSocketUrl("/ws/kinds"), option, value);

        Assert.Equal((ExitCodes.Usage, string.Empty), (exit, stdout));
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.Contains("rxstream ws --help", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sse", "http://127.0.0.1:70000/", "70000")]
    [InlineData("fetch", "http://127.0.0.1:0/", "0")]
    [InlineData("ws", "ws://127.0.0.1:99999/chat", "99999")]
    [InlineData("fetch", "http://127.0.0.1:80x/", "80x")]
    public async Task Cli_PortOutOfRange_IsAUsageErrorNamingTheBadPort(string command, string url, string port)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(command, url);

        Assert.Equal((ExitCodes.Usage, string.Empty), (exit, stdout));
        Assert.Contains($"bad port '{port}'", AssertOneLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sse_UnreachableHost_PrintsConnectingAttemptOneLikeLaterAttempts()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", $"http://127.0.0.1:{UnusedPort()}/", "--max-retries", "1");

        Assert.Equal((ExitCodes.Error, string.Empty), (exit, stdout));
        Assert.StartsWith("* connecting (attempt 1)\n", stderr, StringComparison.Ordinal);
        Assert.Contains("refused", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Fetch_UntilButTheBodyEndsWithoutTheSentinel_PrintsTheTextThenExits1SayingItMayBeTruncated()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/text").ToString(), "--until", "LLM-EOF", "-q");

        Assert.Equal((ExitCodes.Error, FetchText), (exit, stdout));
        var line = AssertOneLine(stderr);
        Assert.Contains("without the sentinel 'LLM-EOF'", line, StringComparison.Ordinal);
        Assert.Contains("truncated", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sse_UntilButTheStreamEndsWithoutTheSentinel_PrintsTheEventsThenExits1()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/sse/events").ToString(), "--no-reconnect", "--until", "[DONE]", "-q");

        Assert.Equal((ExitCodes.Error, SseEventsText), (exit, stdout));
        Assert.Contains("without the sentinel '[DONE]'", AssertOneLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_StdoutRedirected_NamesEachAnswersTransportAndNeverSaysIdle()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("demo");

        Assert.True(exit == ExitCodes.Success, stderr);
        var sections = stdout.Split("== ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, sections.Length);
        Assert.StartsWith("SSE", sections[0], StringComparison.Ordinal);
        Assert.StartsWith("fetch", sections[1], StringComparison.Ordinal);
        Assert.StartsWith("WebSocket", sections[2], StringComparison.Ordinal);
        Assert.All(sections, section => Assert.EndsWith("\n" + DemoServer.Answer + "\n", section, StringComparison.Ordinal));
        Assert.DoesNotContain("idle", stderr, StringComparison.Ordinal);
        Assert.Equal(3, stderr.Split("* connecting (attempt 1)\n").Length - 1);
        Assert.Equal(3, stderr.Split("* done\n").Length - 1);
    }
}
