using RxStream.Http;

namespace RxStream.Cli;

/// <summary>Says which transport a command uses.</summary>
internal enum Transport
{
    /// <summary>Server-Sent Events.</summary>
    Sse,

    /// <summary>A streaming response body.</summary>
    Fetch,

    /// <summary>A WebSocket.</summary>
    WebSocket,
}

/// <summary>Says how stdout shows what arrives.</summary>
internal enum OutputFormat
{
    /// <summary>The data itself.</summary>
    Text,

    /// <summary>One JSON object per line.</summary>
    Jsonl,
}

/// <summary>Holds everything one <c>sse</c>, <c>fetch</c> or <c>ws</c> command asked for, validated.</summary>
internal sealed record StreamSettings(
    Transport Transport,
    Uri Url,
    HttpMethod Method,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? Until,
    OutputFormat Output,
    bool? Reconnect,
    int? MaxRetries,
    TimeSpan? IdleTimeout,
    bool Quiet,
    IReadOnlyList<string> Sends,
    bool Stats = false)
{
    /// <summary>Gets a value indicating whether the stream is reconnected after a drop.</summary>
    /// <remarks>
    /// As EventSource does, an SSE GET reconnects unless told not to; a POST, a fetch and a WebSocket reconnect only
    /// when asked, because sending a request again can cost money (an LLM prompt) or repeat an action.
    /// </remarks>
    public bool ShouldReconnect => Reconnect ?? (Transport == Transport.Sse && Method == HttpMethod.Get);

    /// <summary>Gets how many redirects an HTTP request follows (<c>--max-redirs</c>); 0 refuses them.</summary>
    public int MaxRedirects { get; init; } = FetchOptions.DefaultMaxRedirects;

    /// <summary>Gets the file <c>--record</c> writes to, or <see langword="null"/>.</summary>
    public string? RecordPath { get; init; }

    /// <summary>Gets the response headers <c>--record</c> must not write the values of, besides the credentials.</summary>
    public IReadOnlyList<string> Redact { get; init; } = [];
}
