using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reactive.Linq;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.WebSockets;

namespace RxStream.Chat.Web.Backend;

/// <summary>Streams answers with RxStream's public API only: from the embedded demo server on this app's own address, or from an OpenAI-compatible API.</summary>
/// <param name="client">The shared client (one connection pool for every answer).</param>
/// <param name="server">The server this app runs on, whose address the demo endpoints share.</param>
/// <param name="openAi">The OpenAI-compatible endpoint, if configured.</param>
public sealed class ChatBackend(HttpClient client, IServer server, IOptions<OpenAiOptions> openAi) : IChatBackend
{
    /// <inheritdoc/>
    public IReadOnlyList<ChatTransport> Transports { get; } = openAi.Value.Endpoint is null
        ? [ChatTransport.Sse, ChatTransport.Fetch, ChatTransport.WebSocket]
        : [ChatTransport.OpenAi, ChatTransport.Sse, ChatTransport.Fetch, ChatTransport.WebSocket];

    /// <inheritdoc/>
    public IObservable<string> Answer(ChatTransport transport, string prompt, IObserver<ConnectionStatus> status)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(status);

        // Each answer is its own conversation: the demo drops the first SSE connection of each, mid-answer.
        var conversation = Guid.NewGuid().ToString("N");
        return transport switch
        {
            ChatTransport.Sse => Sse(conversation, status),
            ChatTransport.Fetch => Fetch(conversation, prompt, status),
            ChatTransport.WebSocket => WebSocket(conversation, prompt, status),
            ChatTransport.OpenAi => OpenAi(prompt, status),
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Not a transport this backend offers."),
        };
    }

    // EventSource: GET, reconnect after the drop with Last-Event-ID, stop at the [DONE] event.
    private IObservable<string> Sse(string conversation, IObserver<ConnectionStatus> status) =>
        StreamObservable.EventSource(client, Demo($"demo/sse?conversation={conversation}"), new EventSourceOptions { Reconnect = new ReconnectOptions { Status = status } })
            .TakeUntilSentinel(e => e.Data == DemoChatServer.DoneSentinel)
            .Select(e => e.Data);

    // fetch: POST a JSON prompt, decode UTF-8 across reads, stop at LLM-EOF even when it is split.
    private IObservable<string> Fetch(string conversation, string prompt, IObserver<ConnectionStatus> status) =>
        StreamObservable.Fetch(
                client,
                () => new HttpRequestMessage(HttpMethod.Post, Demo($"demo/fetch?conversation={conversation}")) { Content = JsonContent.Create(new PromptRequest(prompt)) },
                new FetchOptions { OnOpen = start => status.OnNext(new ConnectionStatus.Open(1, start)) })
            .DecodeUtf8()
            .TakeUntilSentinel(DemoChatServer.BodySentinel);

    // WebSocket: send the prompt once open, one message per token, stop at [DONE] (disposal closes with 1000).
    private IObservable<string> WebSocket(string conversation, string prompt, IObserver<ConnectionStatus> status)
    {
        var http = Demo($"demo/ws?conversation={conversation}");
        var url = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        WebSocketConnection? socket = null;
        socket = StreamObservable.WebSocket(url, new WebSocketConnectOptions
        {
            OnOpen = _ =>
            {
                status.OnNext(new ConnectionStatus.Open(1, "websocket"));
                socket!.SendAsync(prompt).AsTask().GetAwaiter().GetResult();
            },
        });
        return socket
            .TakeUntilSentinel(message => message.GetString() == DemoChatServer.DoneSentinel)
            .Select(message => message.GetString());
    }

    // An OpenAI-compatible API: SSE over POST, one JSON delta per event, ending with [DONE].
    private IObservable<string> OpenAi(string prompt, IObserver<ConnectionStatus> status)
    {
        var settings = openAi.Value;
        var endpoint = settings.Endpoint ?? throw new InvalidOperationException($"Set {OpenAiOptions.Section}:Endpoint to use an OpenAI-compatible API.");
        var headers = settings.ApiKey is { Length: > 0 } key
            ? new[] { KeyValuePair.Create("Authorization", new AuthenticationHeaderValue("Bearer", key).ToString()) }
            : [];
        var body = new CompletionRequest(settings.Model, true, [new CompletionMessage("user", prompt)]);
        return StreamObservable.EventSource(
                client,
                new Uri(endpoint.ToString().TrimEnd('/') + "/chat/completions"),
                new EventSourceOptions
                {
                    Method = HttpMethod.Post,
                    Content = () => JsonContent.Create(body),
                    Headers = headers,
                    Reconnect = null,
                    OnOpen = start => status.OnNext(new ConnectionStatus.Open(1, start)),
                })
            .TakeUntilSentinel(e => e.Data == DemoChatServer.DoneSentinel)
            .DeserializeJson<CompletionChunk>()
            .Select(chunk => chunk.Choices is [{ Delta.Content: { } content }, ..] ? content : string.Empty)
            .Where(content => content.Length > 0);
    }

    private Uri Demo(string pathAndQuery)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault() ?? throw new InvalidOperationException("The server has no address yet.");
        return new Uri(new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"), pathAndQuery);
    }

    private sealed record PromptRequest([property: JsonPropertyName("prompt")] string Prompt);

    private sealed record CompletionRequest(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("stream")] bool Stream,
        [property: JsonPropertyName("messages")] IReadOnlyList<CompletionMessage> Messages);

    private sealed record CompletionMessage([property: JsonPropertyName("role")] string Role, [property: JsonPropertyName("content")] string Content);

    private sealed record CompletionChunk([property: JsonPropertyName("choices")] IReadOnlyList<CompletionChoice>? Choices);

    private sealed record CompletionChoice([property: JsonPropertyName("delta")] CompletionDelta? Delta);

    private sealed record CompletionDelta([property: JsonPropertyName("content")] string? Content);
}
