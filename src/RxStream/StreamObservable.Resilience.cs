using System.Reactive.Concurrency;
using System.Reactive.Linq;
using RxStream.Internal;
using RxStream.Resilience;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Subscribes to <paramref name="source"/> again after each retryable error (and, if asked, after a normal end), waiting as the policy says.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">A cold source: each subscription opens a new connection.</param>
    /// <param name="options">The policy; its defaults when <see langword="null"/>.</param>
    /// <returns>The items of every connection, in order, as one sequence.</returns>
    /// <remarks>
    /// <para>An error the policy calls final, or the last error once it gives up, reaches <c>OnError</c>. An exception
    /// thrown by the observer is never retried. Disposal during a delay cancels the timer; during a connection it
    /// disposes that connection. The delays run on the default scheduler.</para>
    /// <para>A source that is not idempotent (a POST) repeats its request on every attempt: wrap it only when that is
    /// what you want.</para>
    /// <para>The status stream reports each connection's <see cref="ConnectionStatus.Open"/> when the source tells the
    /// attempt it subscribed for (<see cref="ReconnectContext.Current"/>): <c>Fetch</c>, <c>EventSource</c> and
    /// <c>WebSocket</c> do, through any operators that subscribe synchronously (<c>Select</c>, <c>Where</c>,
    /// <c>IdleTimeout</c>, ...). Other sources are open, as far as the policy knows, from their first item.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Reconnect<T>(this IObservable<T> source, ReconnectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return ReconnectObservable.Create(_ => source, options ?? new ReconnectOptions(), SchedulerDefaults.TimeBasedOperations);
    }

    /// <summary>Subscribes to <paramref name="source"/> again after each retryable error (and, if asked, after a normal end), waiting on <paramref name="scheduler"/> as the policy says.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">A cold source: each subscription opens a new connection.</param>
    /// <param name="options">The policy; its defaults when <see langword="null"/>.</param>
    /// <param name="scheduler">The scheduler that times the delays and measures how long each connection stayed open.</param>
    /// <returns>The items of every connection, in order, as one sequence.</returns>
    /// <remarks>See <see cref="Reconnect{T}(IObservable{T}, ReconnectOptions?)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Reconnect<T>(this IObservable<T> source, ReconnectOptions? options, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(scheduler);
        return ReconnectObservable.Create(_ => source, options ?? new ReconnectOptions(), scheduler);
    }

    /// <summary>Calls <paramref name="connect"/> for each attempt, handing it a context through which the connection reports its opening, the server's retry time, or a request not to reconnect.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="connect">Creates the observable for one attempt.</param>
    /// <param name="options">The policy; its defaults when <see langword="null"/>.</param>
    /// <returns>The items of every connection, in order, as one sequence.</returns>
    /// <remarks>See <see cref="Reconnect{T}(IObservable{T}, ReconnectOptions?)"/>. An exception thrown by <paramref name="connect"/> is that attempt's error.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="connect"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Reconnect<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connect);
        return ReconnectObservable.Create(connect, options ?? new ReconnectOptions(), SchedulerDefaults.TimeBasedOperations);
    }

    /// <summary>Calls <paramref name="connect"/> for each attempt, waiting on <paramref name="scheduler"/> between attempts as the policy says.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="connect">Creates the observable for one attempt.</param>
    /// <param name="options">The policy; its defaults when <see langword="null"/>.</param>
    /// <param name="scheduler">The scheduler that times the delays and measures how long each connection stayed open.</param>
    /// <returns>The items of every connection, in order, as one sequence.</returns>
    /// <remarks>See <see cref="Reconnect{T}(Func{ReconnectContext, IObservable{T}}, ReconnectOptions?)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="connect"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public static IObservable<T> Reconnect<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions? options, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(scheduler);
        return ReconnectObservable.Create(connect, options ?? new ReconnectOptions(), scheduler);
    }

    /// <summary>Fails with a transient <see cref="IdleTimeoutException"/> when nothing has arrived for <paramref name="timeout"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items; each one counts as activity.</param>
    /// <param name="timeout">The silence allowed, from the subscription and after each item.</param>
    /// <returns>The same items, or the timeout error.</returns>
    /// <remarks>Put it under <c>Reconnect</c> so a dead connection is replaced. To count bytes that make no item (SSE heartbeats) as activity, apply it to the chunks before parsing, or use <c>EventSourceOptions.IdleTimeout</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static IObservable<T> IdleTimeout<T>(this IObservable<T> source, TimeSpan timeout) => source.IdleTimeout(timeout, SchedulerDefaults.TimeBasedOperations);

    /// <summary>Fails with a transient <see cref="IdleTimeoutException"/> when nothing has arrived for <paramref name="timeout"/> on <paramref name="scheduler"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items; each one counts as activity.</param>
    /// <param name="timeout">The silence allowed, from the subscription and after each item.</param>
    /// <param name="scheduler">The scheduler that keeps time.</param>
    /// <returns>The same items, or the timeout error.</returns>
    /// <remarks>See <see cref="IdleTimeout{T}(IObservable{T}, TimeSpan)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static IObservable<T> IdleTimeout<T>(this IObservable<T> source, TimeSpan timeout, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(scheduler);
        return source.Timeout(timeout, Observable.Defer(() => Observable.Throw<T>(new IdleTimeoutException(timeout))), scheduler);
    }
}
