namespace RxStream.Internal;

/// <summary>
/// Holds the per-subscription state of an operator on a per-chunk hot path: it forwards to one downstream
/// observer, owns the upstream subscription, and after a terminal notification or disposal forwards nothing.
/// </summary>
/// <remarks>
/// Modelled on Rx.NET's internal <c>Sink</c>. The downstream observer is swapped for a no-op one on
/// disposal, so nothing reaches it afterwards; a terminal notification is forwarded first and the upstream
/// subscription disposed after it. Exceptions thrown by the downstream observer are not caught here: they
/// travel back to whoever called <c>OnNext</c>.
/// </remarks>
/// <typeparam name="TSource">What the operator receives.</typeparam>
/// <typeparam name="TTarget">What the operator emits.</typeparam>
internal abstract class Sink<TSource, TTarget> : IObserver<TSource>, IDisposable
{
    private IObserver<TTarget> _downstream;

    // Null until Run sets it; DisposedMarker once the sink is disposed (so a late upstream is disposed at once).
    private IDisposable? _upstream;

    protected Sink(IObserver<TTarget> downstream)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        _downstream = downstream;
    }

    /// <summary>Gets a value indicating whether the sink has been disposed or has forwarded a terminal notification.</summary>
    protected bool IsDisposed => ReferenceEquals(Volatile.Read(ref _upstream), DisposedMarker.Instance);

    /// <summary>Subscribes the sink to its source; call once, from the operator's <c>Subscribe</c>.</summary>
    public void Run(IObservable<TSource> source)
    {
        var subscription = source.Subscribe(this);
        if (Interlocked.CompareExchange(ref _upstream, subscription, null) is not null)
        {
            // Disposed (or terminated) while subscribing: release what we were just given.
            subscription.Dispose();
        }
    }

    public abstract void OnNext(TSource value);

    public virtual void OnError(Exception error) => ForwardOnError(error);

    public virtual void OnCompleted() => ForwardOnCompleted();

    public void Dispose()
    {
        var upstream = Interlocked.Exchange(ref _upstream, DisposedMarker.Instance);
        if (ReferenceEquals(upstream, DisposedMarker.Instance))
        {
            return;
        }

        Volatile.Write(ref _downstream, NopObserver.Instance);
        upstream?.Dispose();
        DisposeCore();
    }

    /// <summary>Releases per-subscription resources; called once, after upstream is disposed.</summary>
    /// <remarks>Disposal may race with an <c>OnNext</c> running on another thread: never return a buffer here that <c>OnNext</c> may still be using.</remarks>
    protected virtual void DisposeCore()
    {
    }

    protected void ForwardOnNext(TTarget value) => Volatile.Read(ref _downstream).OnNext(value);

    protected void ForwardOnCompleted()
    {
        Volatile.Read(ref _downstream).OnCompleted();
        Dispose();
    }

    protected void ForwardOnError(Exception error)
    {
        Volatile.Read(ref _downstream).OnError(error);
        Dispose();
    }

    private sealed class NopObserver : IObserver<TTarget>
    {
        public static readonly NopObserver Instance = new();

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(TTarget value)
        {
        }
    }
}

/// <summary>Marks a sink whose upstream subscription has been released.</summary>
internal sealed class DisposedMarker : IDisposable
{
    public static readonly DisposedMarker Instance = new();

    public void Dispose()
    {
    }
}
