using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Tests.Testing;

/// <summary>A scheduler that only records its timer actions, so a test runs each one, and disposes it, in the order it chooses.</summary>
/// <remarks>
/// Disposing what <see cref="Schedule{TState}(TState, TimeSpan, Func{IScheduler, TState, IDisposable})"/> returns
/// stops nothing: it models a timer action that has already started on another thread when its owner disposes it,
/// which no real scheduler can prevent.
/// </remarks>
public sealed class ManualTimerScheduler : IScheduler
{
    private readonly List<(TimeSpan DueTime, Action Run)> _actions = [];

    public DateTimeOffset Now { get; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the due times of the actions scheduled so far.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_actions)
            {
                return _actions.Select(a => a.DueTime).ToArray();
            }
        }
    }

    /// <summary>Gets how many times a returned disposable was disposed.</summary>
    public int Disposals => Volatile.Read(ref _disposals);

    private int _disposals;

    /// <summary>Runs the action scheduled <paramref name="index"/>-th, whatever happened to its disposable.</summary>
    public void Run(int index)
    {
        Action run;
        lock (_actions)
        {
            run = _actions[index].Run;
        }

        run();
    }

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) => Schedule(state, TimeSpan.Zero, action);

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (_actions)
        {
            _actions.Add((dueTime, () => action(this, state)));
        }

        return Disposable.Create(() => Interlocked.Increment(ref _disposals));
    }

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) => Schedule(state, dueTime - Now, action);
}
