using System.Collections.Concurrent;

namespace RxStream.Tests.Testing;

/// <summary>Records notifications from a source that delivers on other threads, with awaitable signals for the terminal one.</summary>
public sealed class AsyncObserver<T> : IObserver<T>
{
    private readonly ConcurrentQueue<T> _values = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _terminal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public IReadOnlyList<T> Values => _values.ToArray();

    public Task FirstValue => _first.Task;

    /// <summary>Gets a task that ends with the error (or null on completion) of the subscription.</summary>
    public Task<Exception?> Terminal => _terminal.Task;

    public bool IsTerminated => _terminal.Task.IsCompleted;

    public Action<T>? OnNextHook { get; init; }

    public void OnNext(T value)
    {
        if (IsTerminated)
        {
            throw new InvalidOperationException("OnNext after a terminal notification.");
        }

        _values.Enqueue(value);
        OnNextHook?.Invoke(value);
        _first.TrySetResult();
    }

    public void OnError(Exception error)
    {
        if (!_terminal.TrySetResult(error))
        {
            throw new InvalidOperationException("A second terminal notification.");
        }
    }

    public void OnCompleted()
    {
        if (!_terminal.TrySetResult(null))
        {
            throw new InvalidOperationException("A second terminal notification.");
        }
    }

    /// <summary>Waits for completion and returns the values; fails if the source failed.</summary>
    public async Task<IReadOnlyList<T>> CompletedAsync()
    {
        var error = await Terminal.WaitAsync(Patience);
        Assert.Null(error);
        return Values;
    }

    /// <summary>Waits for the error and returns it typed.</summary>
    public async Task<TException> FailedAsync<TException>()
        where TException : Exception
    {
        var error = await Terminal.WaitAsync(Patience);
        return Assert.IsType<TException>(error);
    }
}
