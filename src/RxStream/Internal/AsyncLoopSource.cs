using RxStream.Diagnostics;

namespace RxStream.Internal;

/// <summary>Runs an asynchronous producer once per subscription: the shape shared by every network source.</summary>
/// <remarks>
/// <para>Each <c>Subscribe</c> starts <see cref="RunAsync"/> on the thread pool with a token that the subscription's
/// <c>Dispose</c> cancels; disposal is cancellation, and cancellation aborts whatever the producer awaits (a
/// request, a read). Completion of the producer completes the observer; an exception fails it.</para>
/// <para>The producer emits through <see cref="Emitter"/>, which stops at disposal and tells an exception thrown by
/// the observer itself apart from a failure of the stream: the former aborts the connection (the producer's
/// <c>finally</c> blocks run as the exception unwinds) and goes to <see cref="ObserverFault"/>, never to
/// <c>OnError</c>.</para>
/// </remarks>
/// <typeparam name="T">What the source emits.</typeparam>
internal abstract class AsyncLoopSource<T> : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var emitter = new Emitter(observer);
        _ = Task.Run(() => RunLoopAsync(emitter));
        return emitter;
    }

    /// <summary>Produces the items of one subscription; returns at the end of the stream.</summary>
    /// <param name="emitter">Where items go.</param>
    /// <param name="cancellationToken">Cancelled when the subscription is disposed.</param>
    protected abstract Task RunAsync(Emitter emitter, CancellationToken cancellationToken);

    private async Task RunLoopAsync(Emitter emitter)
    {
        try
        {
            await RunAsync(emitter, emitter.Token).ConfigureAwait(false);
            emitter.Telemetry?.End(null, emitter.Token.IsCancellationRequested);
            emitter.Complete();
        }
        catch (ObserverFaultedException fault)
        {
            // The observer's own exception aborted the connection: the attempt failed with that exception.
            emitter.Telemetry?.End(fault.InnerException, disposed: false);
            ObserverFault.Report(fault.InnerException!);
        }
        catch (Exception error)
        {
            emitter.Telemetry?.End(error, emitter.Token.IsCancellationRequested);
            // A cancellation after disposal is the disposal itself, not an error anyone is waiting for.
            emitter.Fail(error);
        }
    }

    /// <summary>Forwards one subscription's items and owns its cancellation.</summary>
    internal sealed class Emitter : IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new();
        private IObserver<T>? _observer;

        public Emitter(IObserver<T> observer) => _observer = observer;

        /// <summary>Gets or sets what reports this subscription's connection to RxStream's meter and activity source; the loop ends it before the observer hears of the end.</summary>
        public ConnectionTelemetry? Telemetry { get; set; }

        /// <summary>Gets the token that disposal cancels.</summary>
        public CancellationToken Token => _cancellation.Token;

        /// <summary>Gets a value indicating whether the subscription has been disposed or has ended.</summary>
        public bool IsStopped => Volatile.Read(ref _observer) is null;

        /// <summary>Sends <paramref name="value"/> downstream unless the subscription has stopped.</summary>
        /// <exception cref="OperationCanceledException">The subscription was disposed: the producer should unwind.</exception>
        public void Next(T value)
        {
            var observer = Volatile.Read(ref _observer);
            if (observer is null)
            {
                _cancellation.Token.ThrowIfCancellationRequested();
                return;
            }

            try
            {
                observer.OnNext(value);
            }
            catch (Exception fault)
            {
                Volatile.Write(ref _observer, null);
                throw new ObserverFaultedException(fault);
            }
        }

        public void Complete() => Interlocked.Exchange(ref _observer, null)?.OnCompleted();

        public void Fail(Exception error) => Interlocked.Exchange(ref _observer, null)?.OnError(error);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _observer, null) is not null)
            {
                _cancellation.Cancel();
            }
        }
    }
}
