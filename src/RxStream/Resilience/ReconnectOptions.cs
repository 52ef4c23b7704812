using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Reactive.Concurrency;

namespace RxStream.Resilience;

/// <summary>Configures when and how soon a source is subscribed again after its connection ends.</summary>
/// <remarks>
/// <para>The delay before attempt <c>n + 1</c>, after <c>n</c> failed attempts in a row, is
/// <c>min(MaxDelay, base × 2^(n−1))</c>, where the base is <see cref="BaseDelay"/> or the server's reconnection time
/// (SSE <c>retry:</c>), spread by jitter into its upper half so that many clients dropped at once do not return at
/// once. A <c>Retry-After</c> carried by the error replaces the computed delay (up to
/// <see cref="MaxRetryAfter"/>).</para>
/// <para>The defaults follow browsers' <c>EventSource</c>, which retries forever at a few seconds: a 1 s base, a
/// 30 s ceiling, no attempt limit.</para>
/// </remarks>
public sealed record ReconnectOptions
{
    /// <summary>The default base delay: 1 s.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default ceiling of the delay: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The default ceiling of a server's <c>Retry-After</c>: 5 min.</summary>
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromMinutes(5);

    private readonly TimeSpan _baseDelay = DefaultBaseDelay;
    private readonly TimeSpan _maxDelay = DefaultMaxDelay;
    private readonly TimeSpan _maxRetryAfter = DefaultMaxRetryAfter;
    private readonly int? _maxFailedAttempts;

    /// <summary>Gets the delay before the first reconnect, doubled after each further failure; 1 s by default.</summary>
    public TimeSpan BaseDelay
    {
        get => _baseDelay;
        init => _baseDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The delay cannot be negative.");
    }

    /// <summary>Gets the longest delay backoff can reach; 30 s by default.</summary>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init => _maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The delay cannot be negative.");
    }

    /// <summary>Gets the longest <c>Retry-After</c> obeyed; a longer one is cut to this. 5 min by default.</summary>
    public TimeSpan MaxRetryAfter
    {
        get => _maxRetryAfter;
        init => _maxRetryAfter = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The delay cannot be negative.");
    }

    /// <summary>Gets a value indicating whether delays are spread at random (into the upper half of each step); <see langword="true"/> by default.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>Gets the source of jitter, returning a number in [0, 1); <see cref="Random.Shared"/> when <see langword="null"/>. Pin it in tests.</summary>
    public Func<double>? Randomizer { get; init; }

    /// <summary>Gets how many attempts in a row may fail before the policy gives up and the last error is delivered; <see langword="null"/> (the default) for no limit.</summary>
    /// <remarks>A connection that delivered data resets the count.</remarks>
    public int? MaxFailedAttempts
    {
        get => _maxFailedAttempts;
        init => _maxFailedAttempts = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets a value indicating whether a normal end of the source also reconnects, as <c>EventSource</c> does; <see langword="false"/> by default.</summary>
    public bool ReconnectOnCompleted { get; init; }

    /// <summary>Gets the decision whether an error is worth another attempt; <see cref="IsTransient"/> when <see langword="null"/>.</summary>
    public Func<Exception, bool>? ShouldReconnect { get; init; }

    /// <summary>Gets where the lifecycle of each subscription is reported (a <c>BehaviorSubject</c>, say); none by default.</summary>
    /// <remarks>Receives only <c>OnNext</c>, on the thread where the change happened.</remarks>
    public IObserver<ConnectionStatus>? Status { get; init; }

    /// <summary>Gets the scheduler that times the delays; <see cref="DefaultScheduler.Instance"/> when <see langword="null"/>.</summary>
    public IScheduler? Scheduler { get; init; }

    /// <summary>Decides by default whether an error is transient: network failures, timeouts, 408, 429 and 5xx are; a 4xx, a wrong content type, a crossed limit or anything unknown is not.</summary>
    /// <param name="error">The error that ended a connection.</param>
    /// <returns><see langword="true"/> when another attempt may succeed.</returns>
    public static bool IsTransient(Exception error) => error switch
    {
        RxStreamException known => known.IsTransient,
        HttpRequestException { StatusCode: { } status } => (int)status is 408 or 429 or >= 500,
        HttpRequestException http => http.HttpRequestError is not (HttpRequestError.SecureConnectionError or HttpRequestError.UserAuthenticationError or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.InvalidResponse),
        IOException or SocketException or WebSocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Computes the delay before the next attempt: a pure function of the options and the state.</summary>
    /// <param name="failedAttempts">How many attempts in a row have failed, from 1.</param>
    /// <param name="serverDelay">The server's reconnection time, replacing <see cref="BaseDelay"/>, if it sent one.</param>
    /// <param name="retryAfter">The error's <c>Retry-After</c>, if any.</param>
    /// <param name="random">A number in [0, 1).</param>
    /// <returns>The delay, never negative and never beyond the ceilings.</returns>
    internal TimeSpan NextDelay(int failedAttempts, TimeSpan? serverDelay, TimeSpan? retryAfter, double random)
    {
        if (retryAfter is { } asked)
        {
            return asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        var baseTicks = (double)(serverDelay ?? BaseDelay).Ticks;
        var ceiling = Math.Max(MaxDelay.Ticks, serverDelay?.Ticks ?? 0);

        // Clamp before it overflows: 2^62 ticks is far beyond any ceiling.
        var ticks = Math.Min(baseTicks * Math.Pow(2, Math.Min(failedAttempts - 1, 62)), ceiling);
        if (UseJitter)
        {
            ticks *= 0.5 + (0.5 * random);
        }

        return TimeSpan.FromTicks((long)ticks);
    }
}
