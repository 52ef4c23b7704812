namespace RxStream.Resilience;

/// <summary>Marks a source that can tell a reconnect policy when each of its connections opens.</summary>
/// <remarks>
/// <c>Reconnect</c> applied straight to such a source subscribes through <see cref="Connect"/>, so the policy's status
/// stream shows <see cref="ConnectionStatus.Open"/> (the <c>onopen</c> moment) for every connection, not only for the
/// Server-Sent Events connection, which has its own policy built in.
/// </remarks>
/// <typeparam name="T">What the source emits.</typeparam>
internal interface IReportsOpen<out T>
{
    /// <summary>Returns the source for one attempt, which reports its opening through <paramref name="context"/>.</summary>
    /// <param name="context">The attempt.</param>
    /// <returns>A cold observable for that attempt.</returns>
    IObservable<T> Connect(ReconnectContext context);
}
