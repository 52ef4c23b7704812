using System.Reactive.Concurrency;
using RxStream.Resilience;
using RxStream.ServerSentEvents;

namespace RxStream.Http;

/// <summary>Configures a Server-Sent Events connection (<see cref="StreamObservable.EventSource(HttpMessageInvoker, Uri, EventSourceOptions?)"/>).</summary>
/// <remarks>
/// The defaults behave as a browser's <c>EventSource</c>: a GET that reconnects after a drop or a normal end,
/// resuming with <c>Last-Event-ID</c> and obeying the server's <c>retry:</c>. What <c>EventSource</c> cannot do
/// (another method, a body, headers) is added here the way <c>fetch-event-source</c> adds it.
/// </remarks>
public sealed record EventSourceOptions
{
    private readonly HttpMethod _method = HttpMethod.Get;
    private readonly int _bufferSize = Internal.StreamDefaults.BufferSize;
    private readonly int _errorBodyPreviewBytes = FetchOptions.DefaultErrorBodyPreviewBytes;
    private readonly TimeSpan _connectTimeout = FetchOptions.DefaultConnectTimeout;
    private readonly int _maxRedirects = FetchOptions.DefaultMaxRedirects;
    private readonly TimeSpan? _idleTimeout;

    /// <summary>Gets the request method; GET by default.</summary>
    public HttpMethod Method
    {
        get => _method;
        init => _method = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets a factory for the request body, called once per connection so each gets a fresh one; none by default.</summary>
    public Func<HttpContent>? Content { get; init; }

    /// <summary>Gets headers added to every request; their values never appear in an error message.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets a callback that finishes each request before it is sent (to add a freshly fetched token, say); none by default.</summary>
    /// <remarks>It runs again for every reconnect attempt. An exception it throws fails the attempt, and is final unless it is transient.</remarks>
    public Func<HttpRequestMessage, CancellationToken, ValueTask>? ConfigureRequest { get; init; }

    /// <summary>Gets the last event ID to send with the first connection, to resume a stream seen in an earlier run; none by default.</summary>
    public string? LastEventId { get; init; }

    /// <summary>Gets the longest wait for the response headers of each connection, redirects included; <see cref="FetchOptions.DefaultConnectTimeout"/> (60 s) by default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit beyond the client's own.</summary>
    /// <remarks>Crossing it fails the attempt with a transient <see cref="ConnectTimeoutException"/>, which the reconnect policy retries.</remarks>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = FetchOptions.RequireTimeout(value);
    }

    /// <summary>Gets how many redirects each connection follows; <see cref="FetchOptions.DefaultMaxRedirects"/> (20) by default, 0 to refuse them.</summary>
    /// <remarks>Redirects are followed as <see cref="FetchOptions.MaxRedirects"/> describes: credentials (<c>Authorization</c>, <c>Cookie</c>, <c>Proxy-Authorization</c>) never go to another origin, and a redirect from https to http is refused. Each reconnect starts again from the original address.</remarks>
    public int MaxRedirects
    {
        get => _maxRedirects;
        init => _maxRedirects = FetchOptions.RequireRedirects(value);
    }

    /// <summary>Gets the longest silence allowed on an open connection, or <see langword="null"/> (the default) for none.</summary>
    /// <remarks>Any bytes count as activity, comment heartbeats included. Crossing it drops the connection with a transient <see cref="IdleTimeoutException"/>, which the reconnect policy retries.</remarks>
    public TimeSpan? IdleTimeout
    {
        get => _idleTimeout;
        init => _idleTimeout = RequirePositive(value);
    }

    /// <summary>Gets the reconnect policy, or <see langword="null"/> to use one connection only; <see cref="ReconnectOptions"/>' defaults unless set.</summary>
    /// <remarks>A normal end of the stream reconnects too, as in <c>EventSource</c>; a 204 ends it for good.</remarks>
    public ReconnectOptions? Reconnect { get; init; } = new();

    /// <summary>Gets a value indicating whether a request whose method is not idempotent (a POST) may be sent again on reconnect; <see langword="false"/> by default.</summary>
    /// <remarks>Re-sending an LLM prompt costs money and may repeat an action, so a POST stream is only reconnected when this says so.</remarks>
    public bool ResendNonIdempotentRequests { get; init; }

    /// <summary>Gets the limits of the event parser; its defaults when <see langword="null"/>.</summary>
    public SseParserOptions? Parser { get; init; }

    /// <summary>Gets the most bytes one read of the body asks for; 16 KiB by default.</summary>
    /// <remarks>The buffer is rented from the shared pool only once a zero-byte read has seen bytes arrive, and returned after that read, so an idle stream holds none.</remarks>
    public int BufferSize
    {
        get => _bufferSize;
        init => _bufferSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The buffer size must be positive.");
    }

    /// <summary>Gets how many bytes of an error response's body <see cref="HttpStatusException.BodyPreview"/> keeps; 0 reads none.</summary>
    public int ErrorBodyPreviewBytes
    {
        get => _errorBodyPreviewBytes;
        init => _errorBodyPreviewBytes = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The preview size cannot be negative.");
    }

    /// <summary>Gets a callback told about each response that opens the stream (the <c>onopen</c> moment), or <see langword="null"/>.</summary>
    public Action<HttpResponseStart>? OnOpen { get; init; }

    /// <summary>Gets the one scheduler that times this stream: connect and idle timeouts, reconnect delays and the backoff reset; <see cref="DefaultScheduler.Instance"/> when <see langword="null"/>.</summary>
    /// <remarks>Set it to a virtual-time scheduler and every timing of the stream runs in virtual time.</remarks>
    public IScheduler? Scheduler { get; init; }

    internal bool ShouldReconnect => Reconnect is not null && (IsIdempotent(Method) || ResendNonIdempotentRequests);

    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Trace;

    private static TimeSpan? RequirePositive(TimeSpan? value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value is { } time && time <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(value), time, $"{name} must be positive.")
            : value;
}
