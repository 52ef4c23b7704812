using RxStream.Diagnostics;

namespace RxStream.Internal;

/// <summary>Runs an asynchronous producer once per subscription: the shape shared by every network source.</summary>
/// <remarks>
/// <para>Each <c>Subscribe</c> starts <see cref="RunAsync"/> on the subscribing thread (outside its
/// <see cref="SynchronizationContext"/>), with a token that the subscription's <c>Dispose</c> cancels; disposal is cancellation, and cancellation aborts whatever the producer awaits (a
/// request, a read). Completion of the producer completes the observer; an exception fails it.</para>
/// <para>The producer emits through <see cref="Emitter"/>, which stops at disposal and tells an exception thrown by
/// the observer itself apart from a failure of the stream: the former aborts the connection (the producer's
/// <c>finally</c> blocks run as the exception unwinds) and goes to <see cref="ObserverFault"/>, never to
/// <c>OnError</c>. So does an exception thrown from <c>OnCompleted</c> or <c>OnError</c>: nothing an observer throws is
/// lost in the discarded task, nor left to <see cref="TaskScheduler.UnobservedTaskException"/>.</para>
/// </remarks>
/// <typeparam name="T">What the source emits.</typeparam>
internal abstract class AsyncLoopSource<T> : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var emitter = new Emitter(observer);
        if (StartsOnThreadPool)
        {
            _ = Task.Run(() => RunLoopAsync(emitter));
            return emitter;
        }

        // Otherwise the producer starts on the subscribing thread and runs until its first await that does not complete
        // at once, as Rx's own asynchronous Observable.Create does. So a source whose awaits complete on a scheduler's
        // thread (a virtual clock advancing, a test double) runs entirely at that moment, in order; a real connection
        // goes asynchronous at its first network wait. The caller's SynchronizationContext (a UI thread) is kept out of
        // it: no continuation of the producer is ever posted back to the thread that subscribed.
        var caller = SynchronizationContext.Current;
        if (caller is null)
        {
            _ = RunLoopAsync(emitter);
        }
        else
        {
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                _ = RunLoopAsync(emitter);
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(caller);
            }
        }

        return emitter;
    }

    /// <summary>Gets a value indicating whether <see cref="RunAsync"/> starts on the thread pool rather than on the subscribing thread.</summary>
    /// <remarks>
    /// For a producer whose reads may all complete synchronously for ever (any <see cref="Stream"/> a user hands in):
    /// started inline, it would deliver everything before <c>Subscribe</c> returned the disposable that stops it, so
    /// <c>Take(1)</c> could never end it. A network producer goes asynchronous at its first wait for the network.
    /// </remarks>
    protected virtual bool StartsOnThreadPool => false;

    /// <summary>Produces the items of one subscription; returns at the end of the stream.</summary>
    /// <param name="emitter">Where items go.</param>
    /// <param name="cancellationToken">Cancelled when the subscription is disposed.</param>
    protected abstract Task RunAsync(Emitter emitter, CancellationToken cancellationToken);

    private async Task RunLoopAsync(Emitter emitter)
    {
        Exception? error = null;
        try
        {
            await RunAsync(emitter, emitter.Token).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            error = failure;
        }

        // The terminal call runs outside the try, so that what the observer throws from it is not mistaken for a
        // failure of the stream (and sent back to the same observer's OnError), nor lost in this discarded task. The
        // attempt's telemetry ends first, so that a meter or span shows the end before the observer (and a reconnect
        // policy behind it) starts anything new.
        if (emitter.TakeObserverFault() is { } fault)
        {
            // The observer threw from OnNext: the producer has unwound (a finally block may even have replaced the
            // exception that carried the fault), and the observer hears nothing more. The attempt failed with it.
            emitter.Telemetry?.End(fault, disposed: false);
            ObserverFault.Report(fault);
        }
        else if (error is null)
        {
            emitter.Telemetry?.End(null, emitter.Token.IsCancellationRequested);
            emitter.Complete();
        }
        else
        {
            // A cancellation after disposal is the disposal itself, not an error anyone is waiting for: Fail finds
            // no observer then.
            emitter.Telemetry?.End(error, emitter.Token.IsCancellationRequested);
            emitter.Fail(error);
        }
    }

    /// <summary>Forwards one subscription's items and owns its cancellation.</summary>
    internal sealed class Emitter : IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new();
        private IObserver<T>? _observer;

        // What the observer threw from OnNext, kept here as well as in the exception that unwinds the producer, so
        // that a finally block throwing on the way out cannot make it disappear.
        private Exception? _observerFault;

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
                Volatile.Write(ref _observerFault, fault);
                throw new ObserverFaultedException(fault);
            }
        }

        /// <summary>Sends <c>OnCompleted</c> unless the subscription has stopped; what the observer throws goes to <see cref="ObserverFault"/>.</summary>
        public void Complete()
        {
            if (Interlocked.Exchange(ref _observer, null) is { } observer)
            {
                try
                {
                    observer.OnCompleted();
                }
                catch (Exception fault)
                {
                    ObserverFault.Report(fault);
                }
            }
        }

        /// <summary>Sends <c>OnError</c> unless the subscription has stopped; what the observer throws goes to <see cref="ObserverFault"/>.</summary>
        /// <remarks>
        /// An observer subscribed without an error handler rethrows <paramref name="error"/> itself (Rx's default
        /// <c>onError</c>): as in Rx, where nobody handles an error it is reported unhandled, not left in a task.
        /// </remarks>
        public void Fail(Exception error)
        {
            if (Interlocked.Exchange(ref _observer, null) is { } observer)
            {
                try
                {
                    observer.OnError(error);
                }
                catch (Exception fault)
                {
                    ObserverFault.Report(fault);
                }
            }
        }

        /// <summary>Returns what the observer threw from <c>OnNext</c>, once; <see langword="null"/> if it threw nothing.</summary>
        public Exception? TakeObserverFault() => Interlocked.Exchange(ref _observerFault, null);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _observer, null) is not null)
            {
                _cancellation.Cancel();
            }
        }
    }
}
