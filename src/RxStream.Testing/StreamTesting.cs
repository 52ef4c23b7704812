using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using RxStream.Testing.Recording;

namespace RxStream.Testing;

/// <summary>Provides the testing kit's operators: recording any stream of chunks in the rxstream-recording format.</summary>
public static class StreamTesting
{
    /// <summary>Passes every chunk through unchanged while writing it to <paramref name="writer"/>, with its time from the subscription; each subscription is a connection of the recording.</summary>
    /// <param name="source">The chunks to record.</param>
    /// <param name="writer">The recording; the caller owns it and disposes it after the last subscription ends.</param>
    /// <param name="scheduler">Where the time offsets come from; <see cref="Scheduler.Default"/> when <see langword="null"/>, a virtual-time scheduler in tests.</param>
    /// <returns>The same chunks, recorded on the way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <remarks>How the stream ended is recorded too: completed, failed (with the error's message) or disposed by the subscriber.
    /// The chunks are written before they go downstream, so what the subscriber saw is always in the file.</remarks>
    public static IObservable<Chunk> Record(this IObservable<Chunk> source, RecordingWriter writer, IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writer);
        var clock = scheduler ?? Scheduler.Default;
        IStopwatch? recording = null;
        return Observable.Create<Chunk>(observer =>
        {
            var sinceStart = LazyInitializer.EnsureInitialized(ref recording, clock.StartStopwatch);
            var connection = clock.StartStopwatch();
            var ended = 0;
            void End(RecordedEnd end)
            {
                if (Interlocked.Exchange(ref ended, 1) == 0)
                {
                    writer.WriteEnd(end);
                }
            }

            writer.WriteOpen(sinceStart.Elapsed);
            var subscription = source.Subscribe(
                chunk =>
                {
                    writer.WriteChunk(connection.Elapsed, chunk);
                    observer.OnNext(chunk);
                },
                error =>
                {
                    // A WebSocket's close status is what a replay needs to close the same way.
                    var close = error as RxStream.WebSockets.WebSocketClosedException;
                    End(new RecordedEnd(connection.Elapsed, RecordedEndKind.Failed, (int?)close?.CloseStatus, close?.CloseStatusDescription, error.Message));
                    observer.OnError(error);
                },
                () =>
                {
                    End(new RecordedEnd(connection.Elapsed, RecordedEndKind.Completed));
                    observer.OnCompleted();
                });
            return Disposable.Create(() =>
            {
                subscription.Dispose();
                End(new RecordedEnd(connection.Elapsed, RecordedEndKind.Disposed));
            });
        });
    }
}
