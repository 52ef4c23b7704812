using System.Globalization;
using System.Reactive.Linq;
using System.Text;
using Microsoft.Win32.SafeHandles;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.ServerSentEvents;
using RxStream.Testing;
using RxStream.Testing.Recording;
using RxStream.Text;
using RxStream.WebSockets;

namespace RxStream.Cli;

/// <summary>Runs one <c>sse</c>, <c>fetch</c> or <c>ws</c> command with RxStream's public API and maps how it ended to an exit code.</summary>
internal static class StreamRunner
{
    // How much of an error body the error line shows: enough for an LLM API's JSON error, not a whole HTML page.
    private const int MaxBodyInError = 200;

    // How long rxstream waits, after it let go of the stream, for its connections to finish closing: more than a
    // WebSocket's close timeout, after which the library aborts the socket anyway.
    private static readonly TimeSpan CloseWait = new WebSocketConnectOptions().CloseTimeout + TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(StreamSettings settings, CancellationToken interrupt)
    {
        var log = new StatusLog(settings.Quiet);
        using var stats = settings.Stats ? new StatsLine() : null;
        var connections = new ConnectionTracker();
        var reconnect = settings.ShouldReconnect
            // "--max-retries 0" and "1" both give up at the first failure; without it there is no limit.
            ? new ReconnectOptions { MaxFailedAttempts = settings.MaxRetries is { } retries ? Math.Max(retries, 1) : null, Status = log }
            : null;

        int exit;
        using var recording = StartRecording(settings);
        using (var socketInvoker = new HttpMessageInvoker(connections.CreateHandler()))
        {
            HttpMessageHandler handler = connections.CreateHandler();
            if (recording is not null && settings.Transport != Transport.WebSocket)
            {
                handler = new RecordingHandler(handler, recording);
            }

            using (var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan })
            {
                var lines = settings.Transport switch
                {
                    Transport.Sse => Sse(settings, client, reconnect, log, stats),
                    Transport.Fetch => Fetch(settings, client, reconnect, log, stats),
                    _ => WebSocket(settings, socketInvoker, reconnect, log, stats, recording),
                };
                exit = await ReadAsync(lines, log, settings.Until, interrupt).ConfigureAwait(false);
                if (stats is not null)
                {
                    // Asked for, so printed even under --quiet, however the stream ended.
                    Console.Error.WriteLine($"* {stats.Summary()}");
                }
            }

            // The subscription is disposed and the client with its idle connections: what is still open is closing (a
            // WebSocket's closing handshake, an aborted body). Exiting now would turn a close into a reset.
            await connections.WaitUntilAllClosedAsync(CloseWait).ConfigureAwait(false);
        }

        if (exit == ExitCodes.Success)
        {
            log.Summary(settings.Transport == Transport.Fetch ? "reads" : "messages");
        }

        return exit;
    }

    // --record FILE: the recording's header line is written before the first request, so even a failed connect leaves a file.
    private static RecordingWriter? StartRecording(StreamSettings settings) => settings.RecordPath is { } path
        ? RecordingWriter.Create(path, settings.Transport switch { Transport.Sse => "sse", Transport.Fetch => "fetch", _ => "ws" }, settings.Url, settings.Redact)
        : null;

    private static async Task<int> ReadAsync(IObservable<string> lines, StatusLog log, string? until, CancellationToken interrupt)
    {
        using var output = OpenStdout();
        var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Write(string text)
        {
            if (done.Task.IsCompleted)
            {
                return;
            }

            try
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                output.Write(bytes);
                output.Flush();
            }
            catch (IOException error)
            {
                // stdout is gone (`rxstream … | head -1`): stop reading, rather than crash on the stream's thread.
                done.TrySetResult(new IOException($"cannot write to stdout: {error.Message}", error));
            }
        }

        using (lines.Subscribe(Write, error => done.TrySetResult(error), () => done.TrySetResult(null)))
        using (interrupt.Register(() => done.TrySetCanceled(interrupt)))
        {
            try
            {
                if (await done.Task.ConfigureAwait(false) is { } error)
                {
                    StatusLog.Error(Describe(error, until));
                    return ExitCodes.Error;
                }
            }
            catch (OperationCanceledException)
            {
                // Leaving the using block disposes the subscription, which closes or aborts the connection.
                log.Info("interrupted");
                return ExitCodes.Interrupted;
            }
        }

        return ExitCodes.Success;
    }

    // Items are counted where each transport delivers them (events, body reads, messages), across reconnects.
    private static IObservable<T> MeasuredBy<T>(this IObservable<T> source, StatsLine? stats) => stats is null ? source : source.Measure(stats);

    private static IObservable<string> Sse(StreamSettings settings, HttpClient client, ReconnectOptions? reconnect, StatusLog log, StatsLine? stats)
    {
        var options = new EventSourceOptions
        {
            Method = settings.Method,
            Content = settings.Body is { } body ? () => JsonOrBytes(body) : null,
            Headers = settings.Headers,
            IdleTimeout = settings.IdleTimeout,
            MaxRedirects = settings.MaxRedirects,
            Reconnect = reconnect,
            ResendNonIdempotentRequests = settings.Reconnect == true,
            OnOpen = reconnect is null ? start => log.OnNext(new ConnectionStatus.Open(1, start)) : null,
        };
        var events = StreamObservable.EventSource(client, settings.Url, options).Do(e => log.Received(Encoding.UTF8.GetByteCount(e.Data))).MeasuredBy(stats);
        if (settings.Until is { } until)
        {
            events = events.TakeUntilSentinel(e => e.Data == until);
        }

        return events.Select(e => settings.Output == OutputFormat.Jsonl
            ? JsonLine.Event(e)
            : e.Data + "\n");
    }

    private static IObservable<string> Fetch(StreamSettings settings, HttpClient client, ReconnectOptions? reconnect, StatusLog log, StatsLine? stats)
    {
        var chunks = StreamObservable.Fetch(
            client,
            () =>
            {
                var request = new HttpRequestMessage(settings.Method, settings.Url) { Content = settings.Body is { } body ? JsonOrBytes(body) : null };
                foreach (var (name, value) in settings.Headers)
                {
                    if (!request.Headers.TryAddWithoutValidation(name, value))
                    {
                        request.Content?.Headers.TryAddWithoutValidation(name, value);
                    }
                }

                return request;
            },
            new FetchOptions { MaxRedirects = settings.MaxRedirects, OnOpen = start => log.OnNext(new ConnectionStatus.Open(1, start)) }).Do(c => log.Received(c.Length));
        if (settings.IdleTimeout is { } idle)
        {
            chunks = chunks.IdleTimeout(idle);
        }

        if (reconnect is not null)
        {
            chunks = chunks.Reconnect(reconnect);
        }

        var text = chunks.MeasuredBy(stats).DecodeUtf8();
        if (settings.Until is { } until)
        {
            text = text.TakeUntilSentinel(until);
        }

        return settings.Output == OutputFormat.Jsonl
            ? text.Select(JsonLine.Text)
            : text;
    }

    private static IObservable<string> WebSocket(StreamSettings settings, HttpMessageInvoker invoker, ReconnectOptions? reconnect, StatusLog log, StatsLine? stats, RecordingWriter? recording)
    {
        var socket = StreamObservable.WebSocket(settings.Url, new WebSocketConnectOptions
        {
            Headers = settings.Headers,
            Invoker = invoker,
            OnOpen = session =>
            {
                log.Info("open");

                // Each connection (a reconnect's too) gets the --send messages; they go out in order before any other.
                _ = SendAllAsync(session, settings.Sends);
            },
        });
        IObservable<Chunk> messages = (recording is null ? socket : socket.Record(recording)).Do(c => log.Received(c.Length));
        if (settings.IdleTimeout is { } idle)
        {
            messages = messages.IdleTimeout(idle);
        }

        if (reconnect is not null)
        {
            messages = messages.Reconnect(reconnect);
        }

        messages = messages.MeasuredBy(stats);
        if (settings.Until is { } until)
        {
            messages = messages.TakeUntilSentinel(c => c.Kind == ChunkKind.Text && c.GetString() == until);
        }

        return messages.Select(c => settings.Output == OutputFormat.Jsonl
            ? JsonLine.Message(c)
            : c.GetString() + "\n");
    }

    // Not awaited by the connection, which must not block on its own sends; a send fails only when its connection
    // ended, which the stream itself reports.
    private static async Task SendAllAsync(WebSocketSession session, IReadOnlyList<string> messages)
    {
        try
        {
            foreach (var message in messages)
            {
                await session.SendAsync(message).ConfigureAwait(false);
            }
        }
        catch (WebSocketNotOpenException)
        {
        }
    }

    private static HttpContent JsonOrBytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        var first = body.AsSpan().TrimStart(" \t\r\n"u8);
        content.Headers.ContentType = new(first.Length > 0 && first[0] is (byte)'{' or (byte)'[' ? "application/json" : "application/octet-stream");
        return content;
    }

    // Console's own stdout stream ignores EPIPE, so that `dotnet tool | head` does not crash; rxstream must notice it
    // instead, or `rxstream sse … | head -1` would go on streaming into a closed pipe for ever. A FileStream over
    // descriptor 1 reports it as an IOException; unbuffered, so every write goes out at once.
    private static Stream OpenStdout()
    {
        if (!OperatingSystem.IsWindows())
        {
            var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stdout.CanSeek)
            {
                return stdout;
            }

            // A regular file cannot raise EPIPE, and FileStream would write at offsets of its own without moving the
            // descriptor's, so whatever the shell writes to the file next would overwrite our output.
            stdout.Dispose();
        }

        return Console.OpenStandardOutput();
    }

    // One line that says what happened: the HTTP status and the start of what the server said, or for a network
    // failure the socket's own words ("Connection refused (127.0.0.1:9)") rather than a wrapper's.
    private static string Describe(Exception error, string? until)
    {
        if (error is SentinelNotFoundException)
        {
            // --until promised an end marker; a stream that ended without it was cut short, and a script must not take
            // what it printed for the whole answer.
            return $"error: the stream ended without the sentinel '{until}': the output above may be truncated.";
        }

        if (error is HttpStatusException status)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"error: HTTP {(int)status.StatusCode} {status.ReasonPhrase ?? status.StatusCode.ToString()}");
            text += status.ContentType is { } type ? $" ({type})" : string.Empty;
            var body = StatusLog.OneLine(status.BodyPreview);
            if (body.Length > MaxBodyInError)
            {
                // Cut between characters, never inside a surrogate pair.
                body = body[..(char.IsHighSurrogate(body[MaxBodyInError - 1]) ? MaxBodyInError - 1 : MaxBodyInError)] + "…";
            }

            return body.Length == 0 ? text : $"{text}: {body}";
        }

        // The library's advice names its own API; someone at a shell needs to hear what the server did.
        if (error is UnsupportedContentEncodingException encoded)
        {
            return $"error: the server sent the body encoded as '{string.Join(", ", encoded.ContentEncodings)}' (Content-Encoding), which rxstream cannot decode";
        }

        // The HTTP layer's words name the host and port ("Connection refused (127.0.0.1:9)"), where a WebSocket's
        // failed connect only says "Unable to connect to the remote server"; otherwise the error's own words.
        var reason = error;
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is HttpRequestException)
            {
                reason = cause;
                break;
            }
        }

        var message = reason.Message;
        const string SeeInner = ", see inner exception.";
        if (message.EndsWith(SeeInner, StringComparison.Ordinal) && reason.InnerException is { } inner)
        {
            message = $"{message[..^SeeInner.Length]}: {inner.Message}";
        }

        return $"error: {message}";
    }
}
