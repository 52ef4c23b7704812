using System.Reactive.Concurrency;
using RxStream.Diagnostics;
using RxStream.Resilience;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Forwards <paramref name="source"/> unchanged and publishes statistics about the subscription to <paramref name="statistics"/>: time to the first item, items per second, bytes and reconnects.</summary>
    /// <typeparam name="T">The item type; bytes are counted for <see cref="Chunk"/>, <see cref="ServerSentEvents.SseEvent"/> and <see cref="string"/> (UTF-8).</typeparam>
    /// <param name="source">The items to measure.</param>
    /// <param name="statistics">Receives a snapshot at the subscription, after each item, at each reconnect and at the end (a <c>BehaviorSubject</c> a UI binds, say); only <c>OnNext</c>.</param>
    /// <param name="status">The stream that the reconnect policy reports to (the observable side of <see cref="ReconnectOptions.Status"/>), to count reconnects; <see langword="null"/> counts none.</param>
    /// <returns>The same items.</returns>
    /// <remarks>See <see cref="Measure{T}(IObservable{T}, IObserver{StreamStatistics}, IObservable{ConnectionStatus}?, IScheduler)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="statistics"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Measure<T>(this IObservable<T> source, IObserver<StreamStatistics> statistics, IObservable<ConnectionStatus>? status = null) =>
        source.Measure(statistics, status, DefaultScheduler.Instance);

    /// <summary>Forwards <paramref name="source"/> unchanged and publishes statistics about the subscription to <paramref name="statistics"/>, timed on <paramref name="scheduler"/>.</summary>
    /// <typeparam name="T">The item type; bytes are counted for <see cref="Chunk"/>, <see cref="ServerSentEvents.SseEvent"/> and <see cref="string"/> (UTF-8).</typeparam>
    /// <param name="source">The items to measure.</param>
    /// <param name="statistics">Receives a snapshot at the subscription, after each item, at each reconnect and at the end; only <c>OnNext</c>.</param>
    /// <param name="status">The stream that the reconnect policy reports to, to count reconnects; <see langword="null"/> counts none.</param>
    /// <param name="scheduler">The scheduler whose clock times the snapshots.</param>
    /// <returns>The same items.</returns>
    /// <remarks>
    /// <para>Each subscription is measured on its own, from its <c>Subscribe</c>. Put the operator below
    /// <c>Reconnect</c> to measure the whole stream across its connections; pass the same subject to
    /// <see cref="ReconnectOptions.Status"/> and to <paramref name="status"/> so that reconnects are counted (a subject
    /// shared by several subscriptions counts each one's reconnects in all of them).</para>
    /// <para>A snapshot is published before the item or the end it describes is forwarded, on the thread that
    /// delivered it; the last one has <see cref="StreamStatistics.Ended"/> set, also after a disposal.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="statistics"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Measure<T>(this IObservable<T> source, IObserver<StreamStatistics> statistics, IObservable<ConnectionStatus>? status, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(scheduler);
        return new MeasureOperator<T>(source, statistics, status, scheduler);
    }
}
