namespace RxStream.Resilience;

/// <summary>Describes where a reconnecting subscription is in its lifecycle, for a UI to show.</summary>
/// <remarks>The sequence is <see cref="Connecting"/>, then <see cref="Open"/> or <see cref="Reconnecting"/>, and so on, ending with <see cref="Closed"/>.</remarks>
public abstract record ConnectionStatus
{
    private ConnectionStatus()
    {
    }

    /// <summary>An attempt to connect has started.</summary>
    /// <param name="Attempt">The attempt's number in this subscription, from 1.</param>
    public sealed record Connecting(int Attempt) : ConnectionStatus
    {
        /// <inheritdoc/>
        public override string ToString() => $"connecting (attempt {Attempt})";
    }

    /// <summary>The connection is open: the source said so (an HTTP source, once the response headers are in).</summary>
    /// <param name="Attempt">The attempt's number in this subscription, from 1.</param>
    /// <param name="Details">What the source reported, such as an <c>HttpResponseStart</c>, or <see langword="null"/>.</param>
    public sealed record Open(int Attempt, object? Details) : ConnectionStatus
    {
        /// <inheritdoc/>
        public override string ToString() => Details is null ? "open" : $"open ({Details})";
    }

    /// <summary>The connection ended and another attempt is scheduled.</summary>
    /// <param name="Attempt">The number the next attempt will have.</param>
    /// <param name="Delay">How long until it starts.</param>
    /// <param name="Cause">The error that ended the connection, or <see langword="null"/> when the stream ended normally.</param>
    public sealed record Reconnecting(int Attempt, TimeSpan Delay, Exception? Cause) : ConnectionStatus
    {
        /// <inheritdoc/>
        public override string ToString() =>
            $"reconnecting in {Delay.TotalSeconds:0.###} s ({(Cause is null ? "the stream ended" : Cause.Message)})";
    }

    /// <summary>The subscription is over: it completed, failed for good, or was disposed.</summary>
    /// <param name="Cause">The final error, or <see langword="null"/> after a normal end or a disposal.</param>
    public sealed record Closed(Exception? Cause) : ConnectionStatus
    {
        /// <inheritdoc/>
        public override string ToString() => Cause is null ? "closed" : $"closed ({Cause.Message})";
    }
}
