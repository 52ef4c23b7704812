using System.Buffers;
using System.Reactive.Subjects;

namespace RxStream.Tests.Testing;

/// <summary>Drives an operator that holds pooled buffers to one of its ends, and checks that every buffer went back to the pool by then and stays back after disposal.</summary>
/// <remarks>The ends every such operator has are played here; a test names its operator's own ends (a bad line, a limit,
/// a throwing callback) in <c>own</c>, which may also play "complete" its own way.</remarks>
public static class PooledBufferEnds
{
    /// <summary>The exception the observer throws for the end "observer throws".</summary>
    public static readonly InvalidOperationException ObserverBug = new("the observer's bug");

    /// <summary>Subscribes the operator that <paramref name="subscribe"/> makes, feeds it <paramref name="torn"/>, checks that <paramref name="held"/> buffers are rented, plays <paramref name="end"/>, and checks that none is.</summary>
    /// <param name="end">"complete", "error", "dispose between chunks", "dispose inside OnNext", "observer throws", or one that <paramref name="own"/> plays.</param>
    /// <param name="subscribe">Makes the operator over the source, renting from the pool it is given.</param>
    /// <param name="torn">Chunks that leave an item unfinished, so the operator holds buffers.</param>
    /// <param name="held">How many buffers <paramref name="torn"/> leaves rented.</param>
    /// <param name="next">A chunk that finishes an item, so the observer is called.</param>
    /// <param name="own">Plays the operator's own end (the test knows which) on the source; returns <see langword="false"/> for an end it leaves to the common ones.</param>
    public static void Check<T>(string end, Func<IObservable<Chunk>, ArrayPool<byte>, IObservable<T>> subscribe, Chunk[] torn, int held, Chunk next, Func<Subject<Chunk>, bool> own)
    {
        var pool = new CountingArrayPool();
        var source = new Subject<Chunk>();
        var subscription = default(IDisposable);
        var observer = System.Reactive.Observer.Create<T>(
            _ =>
            {
                if (end == "dispose inside OnNext")
                {
                    subscription!.Dispose();
                }
                else if (end == "observer throws")
                {
                    throw ObserverBug;
                }
            },
            _ => { },
            () => { });
        subscription = subscribe(source, pool).Subscribe(observer);

        foreach (var chunk in torn)
        {
            source.OnNext(chunk);
        }

        Assert.Equal(held, pool.Outstanding);

        if (!own(source))
        {
            switch (end)
            {
                case "complete":
                    source.OnCompleted();
                    break;
                case "error":
                    source.OnError(new IOException());
                    break;
                case "dispose between chunks":
                    subscription.Dispose();
                    break;
                case "observer throws":
                    Assert.Same(ObserverBug, Assert.Throws<InvalidOperationException>(() => source.OnNext(next)));
                    break;
                default:
                    source.OnNext(next);
                    break;
            }
        }

        Assert.Equal(0, pool.Outstanding);
        subscription.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }
}
