namespace RxStream.Resilience;

/// <summary>Lets one connection attempt talk to the reconnect policy that started it.</summary>
/// <remarks>Handed to the connect function of <see cref="StreamObservable.Reconnect{T}(Func{ReconnectContext, IObservable{T}}, ReconnectOptions?)"/>; valid for that attempt only.</remarks>
public sealed class ReconnectContext
{
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
        _session.SetRetryDelay(delay);
    }

    /// <summary>Asks the policy not to reconnect once this attempt ends (an SSE server answered 204).</summary>
    public void DoNotReconnect() => StopRequested = true;
}
