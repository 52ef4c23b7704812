namespace RxStream.Resilience;

/// <summary>Reports a connection that stayed silent longer than its idle timeout: probably dead, though never closed.</summary>
/// <remarks>Transient: a new connection may well work.</remarks>
public sealed class IdleTimeoutException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeout">The silence allowed.</param>
    public IdleTimeoutException(TimeSpan timeout)
        : base($"Nothing arrived for {timeout.TotalSeconds:0.###} s, the idle timeout; the connection is presumed dead.")
    {
        Timeout = timeout;
    }

    /// <summary>Gets the silence allowed.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public override bool IsTransient => true;
}
