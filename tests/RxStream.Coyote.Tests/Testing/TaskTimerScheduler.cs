using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Coyote.Tests.Testing;

/// <summary>Runs each scheduled action on a task of its own at once, whatever its due time: Coyote decides when it runs relative to the rest.</summary>
/// <remarks>
/// A due time only moves <see cref="Now"/> forward when the action starts, so a timer measured on the scheduler's clock
/// sees its full delay elapse. Disposing what <c>Schedule</c> returned stops an action that has not started; one that
/// has started runs to its end, as with a real scheduler. <see cref="DrainAsync"/> awaits every action started.
/// </remarks>
internal sealed class TaskTimerScheduler : IScheduler
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly Queue<Task> _started = new();
    private long _elapsedTicks;

    /// <summary>Gets how many actions have been scheduled.</summary>
    public int Scheduled { get; private set; }

    public DateTimeOffset Now => Epoch + TimeSpan.FromTicks(Volatile.Read(ref _elapsedTicks));

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, TimeSpan.Zero, action);

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, dueTime - Now, action);

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        var cancelled = new BooleanDisposable();
        var task = Task.Run(() =>
        {
            if (cancelled.IsDisposed)
            {
                return;
            }

            Interlocked.Add(ref _elapsedTicks, Math.Max(dueTime.Ticks, 0));
            action(this, state);
        });
        lock (_gate)
        {
            Scheduled++;
            _started.Enqueue(task);
        }

        return cancelled;
    }

    /// <summary>Awaits every action started so far, and those they start, and rethrows what any of them threw.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (!_started.TryDequeue(out next!))
                {
                    return;
                }
            }

            await next;
        }
    }
}
