using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace RxStream.Resilience;

/// <summary>Configures when and how soon a source is subscribed again after its connection ends.</summary>
/// <remarks>
/// <para>The delay before attempt <c>n + 1</c>, after <c>n</c> attempts in a row that failed, is
/// <c>min(ceiling, base × 2^(n−1))</c>, lengthened by jitter by up to half so that many clients dropped at once do not
/// return at once, and never shorter than the floor:</para>
/// <list type="bullet">
/// <item><description>the base is the server's reconnection time (SSE <c>retry:</c>) if it sent one, else
/// <see cref="BaseDelay"/>, and at least <see cref="MinDelay"/>;</description></item>
/// <item><description>the ceiling is <see cref="MaxDelay"/>, or the server's reconnection time when that is longer
/// (the server asked for it);</description></item>
/// <item><description>the floor is <see cref="MinDelay"/>, the server's reconnection time, and the error's
/// <c>Retry-After</c> (up to <see cref="MaxRetryAfter"/>), whichever is longest. The server's times are waited in
/// full: "wait a delay equal to the reconnection time of the event source" (WHATWG HTML, server-sent events), and
/// jitter only adds to them.</description></item>
/// </list>
/// <para>An attempt counts as failed unless its connection stayed open for <see cref="BackoffResetThreshold"/>: a
/// server that accepts and drops at once, or sends one event per connection, keeps the backoff growing instead of
/// resetting it each time. With the floor this bounds what any server can make the client do: with the defaults, a
/// server answering <c>retry: 0</c> and closing sees reconnects after 0.5, 1, 2, 4, 8, 16, then every 30 s (plus
/// jitter).</para>
/// <para>A delay longer than <see cref="LongestDelay"/> (about 49.7 days, the longest a .NET timer waits) means
/// never: the subscription stays in <see cref="ConnectionStatus.Reconnecting"/> until disposed, as a browser does after
/// <c>retry: 18446744073709551615</c>.</para>
/// <para>The defaults follow browsers' <c>EventSource</c>, which retries forever at a few seconds: a 1 s base, a
/// 30 s ceiling, a 0.5 s floor, no attempt limit.</para>
/// </remarks>
public sealed record ReconnectOptions
{
    /// <summary>The default base delay: 1 s.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default ceiling of the delay: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The default ceiling of a server's <c>Retry-After</c>: 5 min.</summary>
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>The default floor of every delay: 0.5 s, so no server can make a client reconnect more than twice a second.</summary>
    public static readonly TimeSpan DefaultMinDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The default time a connection must stay open for the backoff to start afresh: 60 s, as LaunchDarkly's EventSource clients use.</summary>
    public static readonly TimeSpan DefaultBackoffResetThreshold = TimeSpan.FromSeconds(60);

    /// <summary>The longest delay that is waited; a longer one means never: 2^32 − 2 ms (about 49.7 days), the longest a .NET timer waits.</summary>
    public static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly TimeSpan _baseDelay = DefaultBaseDelay;
    private readonly TimeSpan _maxDelay = DefaultMaxDelay;
    private readonly TimeSpan _maxRetryAfter = DefaultMaxRetryAfter;
    private readonly TimeSpan _minDelay = DefaultMinDelay;
    private readonly TimeSpan _backoffResetThreshold = DefaultBackoffResetThreshold;
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

    /// <summary>Gets the shortest delay before any reconnect, whatever the server says (<c>retry: 0</c>, <c>Retry-After: 0</c>); 0.5 s by default.</summary>
    /// <remarks>It is also the least base of the exponential backoff, so a server that asks for no delay still sees the
    /// delay double while it keeps failing. Zero turns the floor off: do so only against a server you trust.</remarks>
    public TimeSpan MinDelay
    {
        get => _minDelay;
        init => _minDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The delay cannot be negative.");
    }

    /// <summary>Gets how long a connection must stay open (from its <see cref="ConnectionStatus.Open"/>, or its first item) for its end to start the backoff afresh; 60 s by default.</summary>
    /// <remarks>
    /// <para>A connection that ends sooner counts as a failed attempt even if it delivered data, so a server that sends
    /// one event per connection and closes, or accepts and drops at once, is met with a growing delay rather than a
    /// constant one. This is the rule of LaunchDarkly's EventSource clients ("backoff reset threshold", 60 s there
    /// too); a browser's <c>EventSource</c> has no backoff to reset and waits only the reconnection time.</para>
    /// <para>Time is measured on the policy's scheduler. <see cref="TimeSpan.Zero"/> resets after any connection that
    /// opened.</para>
    /// </remarks>
    public TimeSpan BackoffResetThreshold
    {
        get => _backoffResetThreshold;
        init => _backoffResetThreshold = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The threshold cannot be negative.");
    }

    /// <summary>Gets a value indicating whether delays are lengthened at random, by up to half of each step; <see langword="true"/> by default.</summary>
    /// <remarks>Jitter only ever lengthens a delay, so it never brings a client back before the server's reconnection time or <c>Retry-After</c>.</remarks>
    public bool UseJitter { get; init; } = true;

    /// <summary>Gets the source of jitter, returning a number in [0, 1); <see cref="Random.Shared"/> when <see langword="null"/>. Pin it in tests.</summary>
    public Func<double>? Randomizer { get; init; }

    /// <summary>Gets how many attempts in a row may fail before the policy gives up and the last error is delivered; <see langword="null"/> (the default) for no limit.</summary>
    /// <remarks>A connection that stayed open for <see cref="BackoffResetThreshold"/> resets the count; one that ended sooner counts as a failure, data or not.</remarks>
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
    /// <remarks>Receives only <c>OnNext</c>, on the thread where the change happened, one call at a time (under a lock:
    /// do not block in it on another thread that disposes the subscription). <see cref="ConnectionStatus.Closed"/> comes
    /// exactly once per subscription, and last.</remarks>
    public IObserver<ConnectionStatus>? Status { get; init; }

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
    /// <returns>The delay, never negative, never below the floor, at most <see cref="TimeSpan.MaxValue"/>.</returns>
    internal TimeSpan NextDelay(int failedAttempts, TimeSpan? serverDelay, TimeSpan? retryAfter, double random)
    {
        var floor = Max(MinDelay, serverDelay ?? TimeSpan.Zero);
        if (retryAfter is { } asked)
        {
            floor = Max(floor, asked < MaxRetryAfter ? asked : MaxRetryAfter);
        }

        var baseTicks = (double)Max(MinDelay, serverDelay ?? BaseDelay).Ticks;
        var ceiling = (double)Max(MaxDelay, serverDelay ?? TimeSpan.Zero).Ticks;

        // Clamp before it overflows: 2^62 ticks is far beyond any ceiling.
        var ticks = Math.Min(baseTicks * Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 62)), ceiling);
        if (UseJitter)
        {
            // Lengthen only: "wait a delay equal to the reconnection time ... Optionally, wait some more."
            ticks *= 1 + (0.5 * random);
        }

        ticks = Math.Max(ticks, floor.Ticks);

        // A double at long.MaxValue rounds up past it, and the cast would wrap to a negative delay.
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
