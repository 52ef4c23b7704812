using System.Reactive.Concurrency;

namespace RxStream.Http;

/// <summary>Configures a streaming response-body source (<see cref="StreamObservable.Fetch(HttpMessageInvoker, Func{HttpRequestMessage}, FetchOptions?)"/>).</summary>
public sealed record FetchOptions
{
    /// <summary>The default size of the error-body preview: 4 KiB, enough for the JSON error of an LLM API.</summary>
    public const int DefaultErrorBodyPreviewBytes = 4 * 1024;

    /// <summary>The default number of redirects followed: 20, the limit of the Fetch standard and of browsers.</summary>
    public const int DefaultMaxRedirects = 20;

    /// <summary>The default longest wait for the response headers: 60 s.</summary>
    /// <remarks>
    /// <see cref="HttpClient.Timeout"/>'s 100 s bounds a whole exchange and browsers give the headers about 300 s; a
    /// streaming API answers with headers as soon as it accepts the request, so silence beyond a minute means a dead
    /// server, while even a server that holds its headers back until a slow model's first token gets a full minute.
    /// The timeout is transient, so a reconnect policy tries again.
    /// </remarks>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(60);

    private readonly int _bufferSize = Internal.StreamDefaults.BufferSize;
    private readonly int _errorBodyPreviewBytes = DefaultErrorBodyPreviewBytes;
    private readonly TimeSpan _connectTimeout = DefaultConnectTimeout;
    private readonly int _maxRedirects = DefaultMaxRedirects;

    /// <summary>Gets the longest wait for the response headers, redirects included; <see cref="DefaultConnectTimeout"/> (60 s) by default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit beyond the client's own.</summary>
    /// <remarks>Crossing it fails the subscription with <see cref="ConnectTimeoutException"/>; it does not limit the body.</remarks>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = RequireTimeout(value);
    }

    /// <summary>Gets how many redirects (301, 302, 303, 307, 308) are followed; <see cref="DefaultMaxRedirects"/> (20) by default, 0 to refuse them.</summary>
    /// <remarks>
    /// <para>RxStream follows redirects itself when the client's handler does not (<see cref="StreamObservable.CreateHttpHandler"/>'s
    /// does not): a 301 or 302 turns a POST into a GET and a 303 anything but HEAD, dropping the body; a 307 or 308 keeps
    /// method and body, built afresh by the request factory, which is therefore called once per hop. On a hop to
    /// another origin (scheme, host or port) the <c>Authorization</c>, <c>Cookie</c> and <c>Proxy-Authorization</c>
    /// headers are removed, as curl does; a redirect from https to http is refused. Headers an
    /// <see cref="HttpClient"/> adds itself (<see cref="HttpClient.DefaultRequestHeaders"/>) are beyond its reach.</para>
    /// <para>One redirect beyond the limit fails with <see cref="RedirectException"/>; with 0, a redirect fails with the
    /// <see cref="HttpStatusException"/> of its status.</para>
    /// </remarks>
    public int MaxRedirects
    {
        get => _maxRedirects;
        init => _maxRedirects = RequireRedirects(value);
    }

    /// <summary>Gets the most bytes one read of the body asks for; 16 KiB by default.</summary>
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

    /// <summary>Gets a callback told about each response that opens the body (the <c>onopen</c> moment), or <see langword="null"/>.</summary>
    /// <remarks>It runs on the reading thread before the first chunk; an exception it throws fails the subscription.</remarks>
    public Action<HttpResponseStart>? OnOpen { get; init; }

    /// <summary>Gets the scheduler that times the connect timeout; <see cref="DefaultScheduler.Instance"/> when <see langword="null"/>.</summary>
    public IScheduler? Scheduler { get; init; }

    internal static TimeSpan RequireTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The connect timeout must be positive, or Timeout.InfiniteTimeSpan for none.");

    internal static int RequireRedirects(int value) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The redirect limit cannot be negative.");
}
