namespace RxStream.Resilience;

/// <summary>Lets one connection attempt talk to the reconnect policy that started it.</summary>
/// <remarks>
/// <para>Handed to the connect function of <see cref="StreamObservable.Reconnect{T}(Func{ReconnectContext, IObservable{T}}, ReconnectOptions?)"/>,
/// and, while <c>Reconnect</c> subscribes to its source, available as <see cref="Current"/>; valid for that attempt only:
/// what an attempt reports after a newer one started is ignored.</para>
/// </remarks>
public sealed class ReconnectContext
{
    // The attempt whose source is being subscribed on this thread, if any. Thread-static rather than AsyncLocal: it
    // must reach only what is subscribed synchronously within the attempt's Subscribe call, not every task or item
    // that later runs in an execution context captured there.
    [ThreadStatic]
    private static ReconnectContext? t_current;

    private readonly ReconnectObservable.ISession _session;

    internal ReconnectContext(ReconnectObservable.ISession session, int attempt, int failedAttempts)
    {
        _session = session;
        Attempt = attempt;
        FailedAttempts = failedAttempts;
    }

    /// <summary>Gets this attempt's number in the subscription, from 1.</summary>
    public int Attempt { get; }

    /// <summary>Gets how many attempts in a row failed before this one.</summary>
    public int FailedAttempts { get; }

    /// <summary>Gets the attempt whose source is being subscribed on this thread, or <see langword="null"/> outside such a call.</summary>
    /// <remarks>
    /// <para>This is how a connection tells <c>Reconnect</c> that it opened, whatever operators stand between them. While
    /// <c>Reconnect</c> subscribes to its source for an attempt, it sets this property; subscription travels up a
    /// chain of operators synchronously (<c>Select</c>, <c>Where</c>, <c>Do</c>, <c>Timeout</c>, <c>Catch</c>,
    /// <c>IdleTimeout</c>, <c>Publish().RefCount()</c>, ...), so the source at the top reads it in its own
    /// <c>Subscribe</c>, keeps it, and later calls <see cref="ReportOpen"/> on it. <c>Fetch</c>, <c>EventSource</c> and
    /// <c>WebSocket</c> do; a source of your own can too.</para>
    /// <para>An operator that subscribes later or on another thread (<c>SubscribeOn</c>, <c>DelaySubscription</c>)
    /// hides the attempt: the source then sees <see langword="null"/> and the policy reports no
    /// <see cref="ConnectionStatus.Open"/>, as for any source that does not report one. Read it only inside
    /// <c>Subscribe</c>, never from an item or a task.</para>
    /// </remarks>
    public static ReconnectContext? Current => t_current;

    /// <summary>Gets a token that is cancelled once the <c>Reconnect</c> subscription has ended, after which no attempt follows.</summary>
    /// <remarks>
    /// <para>The subscription ends when the policy gives up (a final error, <see cref="ReconnectOptions.MaxFailedAttempts"/>
    /// reached, a completion it does not retry) or is disposed; the token is cancelled before the downstream observer
    /// hears of the end. It is shared by all attempts of one subscription.</para>
    /// <para>A source that keeps work waiting past its own attempt for the next one (<c>WebSocket</c> keeps sends
    /// issued between attempts) registers here to fail that work at once, instead of at its own timeout.</para>
    /// </remarks>
    public CancellationToken SubscriptionEnded => _session.Ended;

    internal bool StopRequested { get; private set; }

    /// <summary>Reports that the connection is open, publishing <see cref="ConnectionStatus.Open"/> with <paramref name="details"/>.</summary>
    /// <param name="details">What to show about the connection, such as the response's status.</param>
    public void ReportOpen(object? details = null) => _session.ReportOpen(this, details);

    /// <summary>Sets the base of later delays to the server's reconnection time (the SSE <c>retry</c> field).</summary>
    /// <param name="delay">The reconnection time.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public void SetRetryDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _session.SetRetryDelay(this, delay);
    }

    /// <summary>Asks the policy not to reconnect once this attempt ends (an SSE server answered 204).</summary>
    public void DoNotReconnect() => StopRequested = true;

    /// <summary>Makes <paramref name="context"/> the <see cref="Current"/> attempt on this thread until the returned scope ends.</summary>
    /// <param name="context">The attempt, or <see langword="null"/> to hide the current one (while items go downstream).</param>
    /// <returns>A scope that restores the previous value.</returns>
    internal static Scope Enter(ReconnectContext? context)
    {
        var previous = t_current;
        t_current = context;
        return new Scope(previous);
    }

    /// <summary>Restores the attempt that was <see cref="Current"/> before <see cref="Enter"/>.</summary>
    internal readonly struct Scope(ReconnectContext? previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }
}
