using Microsoft.Coyote.Runtime;

namespace RxStream.Coyote.Tests.Testing;

/// <summary>Records an observer's calls and what broke the Rx grammar: a second terminal, an item after a terminal, two calls at once.</summary>
/// <remarks>Each call offers Coyote a scheduling point while it is inside, so that a second call can overlap it if the code under test lets it.</remarks>
internal sealed class CheckingObserver<T> : IObserver<T>
{
    private int _inside;
    private int _items;
    private int _completions;
    private int _errors;
    private int _overlaps;
    private int _itemsAfterTerminal;

    public int Items => Volatile.Read(ref _items);

    public int Completions => Volatile.Read(ref _completions);

    public int Errors => Volatile.Read(ref _errors);

    public int Terminals => Completions + Errors;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public int ItemsAfterTerminal => Volatile.Read(ref _itemsAfterTerminal);

    public void OnNext(T value) => Call(() =>
    {
        if (Terminals > 0)
        {
            Interlocked.Increment(ref _itemsAfterTerminal);
        }

        Interlocked.Increment(ref _items);
    });

    public void OnError(Exception error) => Call(() => Interlocked.Increment(ref _errors));

    public void OnCompleted() => Call(() => Interlocked.Increment(ref _completions));

    private void Call(Action record)
    {
        if (Interlocked.Increment(ref _inside) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        SchedulingPoint.Interleave();
        record();
        Interlocked.Decrement(ref _inside);
    }
}
