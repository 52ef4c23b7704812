using System.Reactive.Concurrency;

namespace RxStream.Http;

/// <summary>Configures a streaming response-body source (<see cref="StreamObservable.Fetch(HttpMessageInvoker, Func{HttpRequestMessage}, FetchOptions?)"/>).</summary>
public sealed record FetchOptions
{
    /// <summary>The default size of the error-body preview: 4 KiB, enough for the JSON error of an LLM API.</summary>
    public const int DefaultErrorBodyPreviewBytes = 4 * 1024;

    private readonly int _bufferSize = Internal.StreamDefaults.BufferSize;
    private readonly int _errorBodyPreviewBytes = DefaultErrorBodyPreviewBytes;
    private readonly TimeSpan? _connectTimeout;

    /// <summary>Gets the longest wait for the response headers, or <see langword="null"/> (the default) for no limit beyond the client's own.</summary>
    /// <remarks>Crossing it fails the subscription with <see cref="ConnectTimeoutException"/>; it does not limit the body.</remarks>
    public TimeSpan? ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = value is { } timeout && timeout <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(value), timeout, "The connect timeout must be positive.")
            : value;
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
}
