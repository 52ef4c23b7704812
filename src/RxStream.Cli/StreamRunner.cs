using System.Reactive.Linq;
using System.Text;
using System.Text.Json;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.ServerSentEvents;
using RxStream.WebSockets;

namespace RxStream.Cli;

/// <summary>Runs one <c>sse</c>, <c>fetch</c> or <c>ws</c> command with RxStream's public API and maps how it ended to an exit code.</summary>
internal static class StreamRunner
{
    public static async Task<int> RunAsync(StreamSettings settings, CancellationToken interrupt)
    {
        var log = new StatusLog(settings.Quiet);
        using var client = new HttpClient(StreamObservable.CreateHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var output = Console.OpenStandardOutput();
        var reconnect = settings.ShouldReconnect
            ? new ReconnectOptions { MaxFailedAttempts = settings.MaxRetries is > 0 ? settings.MaxRetries : null, Status = log }
            : null;
        var lines = settings.Transport switch
        {
            Transport.Sse => Sse(settings, client, reconnect, log),
            Transport.Fetch => Fetch(settings, client, reconnect, log),
            _ => WebSocket(settings, reconnect, log),
        };

        var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lines.Subscribe(text => Write(output, text), error => done.TrySetResult(error), () => done.TrySetResult(null)))
        using (interrupt.Register(() => done.TrySetCanceled()))
        {
            try
            {
                if (await done.Task.ConfigureAwait(false) is { } error)
                {
                    log.Error(Describe(error));
                    return ExitCodes.Error;
                }
            }
            catch (OperationCanceledException)
            {
                // Leaving the using block disposes the subscription: the connection is closed or aborted first.
                log.Info("interrupted");
                return ExitCodes.Interrupted;
            }
        }

        log.Summary(settings.Transport == Transport.Fetch ? "reads" : "messages");
        return ExitCodes.Success;
    }

    private static IObservable<string> Sse(StreamSettings settings, HttpClient client, ReconnectOptions? reconnect, StatusLog log)
    {
        var options = new EventSourceOptions
        {
            Method = settings.Method,
            Content = settings.Body is { } body ? () => JsonOrBytes(body) : null,
            Headers = settings.Headers,
            IdleTimeout = settings.IdleTimeout,
            Reconnect = reconnect,
            ResendNonIdempotentRequests = settings.Reconnect == true,
            OnOpen = reconnect is null ? start => log.OnNext(new ConnectionStatus.Open(1, start)) : null,
        };
        var events = StreamObservable.EventSource(client, settings.Url, options).Do(e => log.Received(Encoding.UTF8.GetByteCount(e.Data)));
        if (settings.Until is { } until)
        {
            events = events.TakeUntilSentinel(e => e.Data == until);
        }

        return events.Select(e => settings.Output == OutputFormat.Jsonl
            ? JsonSerializer.Serialize(new SseLine(e.EventType, e.Data, e.LastEventId), CliJson.Default.SseLine) + "\n"
            : e.Data + "\n");
    }

    private static IObservable<string> Fetch(StreamSettings settings, HttpClient client, ReconnectOptions? reconnect, StatusLog log)
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
            new FetchOptions { OnOpen = start => log.OnNext(new ConnectionStatus.Open(1, start)) }).Do(c => log.Received(c.Length));
        if (settings.IdleTimeout is { } idle)
        {
            chunks = chunks.IdleTimeout(idle);
        }

        if (reconnect is not null)
        {
            chunks = chunks.Reconnect(reconnect);
        }

        var text = chunks.DecodeUtf8();
        if (settings.Until is { } until)
        {
            text = text.TakeUntilSentinel(until);
        }

        return settings.Output == OutputFormat.Jsonl
            ? text.Select(piece => JsonSerializer.Serialize(new TextLine(piece), CliJson.Default.TextLine) + "\n")
            : text;
    }

    private static IObservable<string> WebSocket(StreamSettings settings, ReconnectOptions? reconnect, StatusLog log)
    {
        WebSocketConnection? socket = null;
        socket = StreamObservable.WebSocket(settings.Url, new WebSocketConnectOptions
        {
            Headers = settings.Headers,
            OnOpen = _ =>
            {
                log.Info("open");
                foreach (var message in settings.Sends)
                {
                    socket!.SendAsync(message).AsTask().GetAwaiter().GetResult();
                }
            },
        });
        IObservable<Chunk> messages = socket.Do(c => log.Received(c.Length));
        if (settings.IdleTimeout is { } idle)
        {
            messages = messages.IdleTimeout(idle);
        }

        if (reconnect is not null)
        {
            messages = messages.Reconnect(reconnect);
        }

        if (settings.Until is { } until)
        {
            messages = messages.TakeUntilSentinel(c => c.Kind == ChunkKind.Text && c.GetString() == until);
        }

        return messages.Select(c => settings.Output == OutputFormat.Jsonl
            ? JsonSerializer.Serialize(new MessageLine(c.Kind == ChunkKind.Binary ? "binary" : "text", c.Kind == ChunkKind.Binary ? Convert.ToBase64String(c.Span) : c.GetString()), CliJson.Default.MessageLine) + "\n"
            : c.GetString() + "\n");
    }

    private static HttpContent JsonOrBytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        var first = body.AsSpan().TrimStart(" \t\r\n"u8);
        content.Headers.ContentType = new(first.Length > 0 && first[0] is (byte)'{' or (byte)'[' ? "application/json" : "application/octet-stream");
        return content;
    }

    private static void Write(Stream output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        output.Write(bytes);
        output.Flush();
    }

    private static string Describe(Exception error) => error switch
    {
        HttpStatusException status => $"error: {status.Message}",
        _ => $"error: {error.Message}",
    };
}

internal sealed record SseLine(string Type, string Data, string Id);

internal sealed record TextLine(string Text);

internal sealed record MessageLine(string Type, string Data);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(SseLine))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TextLine))]
[System.Text.Json.Serialization.JsonSerializable(typeof(MessageLine))]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;
