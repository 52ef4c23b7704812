using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Exposes a stream to <c>await foreach</c>: subscribes when the loop starts and disposes the subscription when it ends.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="options">How many items may wait for the loop; <see cref="AsyncEnumerableOptions.DefaultMaxBufferedItems"/> when <see langword="null"/>.</param>
    /// <returns>The items, in order; the stream's error is thrown by the loop after the items before it.</returns>
    /// <remarks>
    /// Each enumeration is one subscription, so on a network source one connection. Leaving the loop early (a
    /// <c>break</c>, an exception, the enumerator's cancellation token) disposes the subscription, which closes or
    /// aborts the connection, as <c>AbortController.abort()</c> does. The stream cannot be slowed down, so items wait in a
    /// bounded buffer: a loop that falls more than <see cref="AsyncEnumerableOptions.MaxBufferedItems"/> behind ends the
    /// subscription and throws <see cref="StreamLimitExceededException"/> once it has taken the items held, rather than
    /// buffering without bound.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<T> AsAsyncEnumerable<T>(this IObservable<T> source, AsyncEnumerableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Enumerate(source, (options ?? new AsyncEnumerableOptions()).MaxBufferedItems);
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(IObservable<T> source, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var subscription = new System.Reactive.Disposables.SingleAssignmentDisposable();
        try
        {
            subscription.Disposable = source.Subscribe(
                item =>
                {
                    if (!channel.Writer.TryWrite(item))
                    {
                        channel.Writer.TryComplete(new StreamLimitExceededException(nameof(AsyncEnumerableOptions.MaxBufferedItems), capacity, "items"));
                        subscription.Dispose();
                    }
                },
                error => channel.Writer.TryComplete(error),
                () => channel.Writer.TryComplete());

            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            subscription.Dispose();
        }
    }
}
