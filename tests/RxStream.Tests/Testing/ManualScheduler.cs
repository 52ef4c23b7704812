using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Tests.Testing;

/// <summary>
/// A scheduler whose actions run only when a test says, on the test's thread, so that a test chooses the order of an
/// action's body and anything else (a disposal, the end of a connection) to the step.
/// </summary>
/// <remarks>
/// Its clock moves only by <see cref="AdvanceBy"/>; <see cref="Now"/> and its stopwatch read the same virtual time.
/// <see cref="OnClockRead"/> runs once, at the next read of either: since a timer action reads the clock as it starts,
/// that is the moment "the action has already started" at which a test can end the connection.
/// </remarks>
public sealed class ManualScheduler : IScheduler, IStopwatchProvider, IServiceProvider
{
    private readonly Lock _gate = new();
    private readonly List<Item> _queue = [];
    private TimeSpan _clock;
    private Action? _onClockRead;

    public DateTimeOffset Now => DateTimeOffset.UnixEpoch + Read();

    /// <summary>Gets how many actions wait to run (disposed ones excluded).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count(item => !item.Cancelled);
            }
        }
    }

    /// <summary>Sets a callback that runs once, on the thread that next reads the clock.</summary>
    public Action? OnClockRead
    {
        set => Volatile.Write(ref _onClockRead, value);
    }

    public void AdvanceBy(TimeSpan time)
    {
        lock (_gate)
        {
            _clock += time;
        }
    }

    /// <summary>Runs the action due first, whatever its time, after moving the clock to it; false if none waits.</summary>
    public bool RunNext()
    {
        Item? next;
        lock (_gate)
        {
            _queue.RemoveAll(item => item.Cancelled);
            next = _queue.OrderBy(item => item.Due).FirstOrDefault();
            if (next is null)
            {
                return false;
            }

            _queue.Remove(next);
            if (next.Due > _clock)
            {
                _clock = next.Due;
            }
        }

        next.Run(this);
        return true;
    }

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) => Schedule(state, TimeSpan.Zero, action);

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        var item = new Item((scheduler, _) => action(scheduler, state), dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
        lock (_gate)
        {
            item.Due += _clock;
            _queue.Add(item);
        }

        return Disposable.Create(item, static item => item.Cancelled = true);
    }

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, dueTime - Now, action);

    public IStopwatch StartStopwatch() => new Stopwatch(this, Read());

    public object? GetService(Type serviceType) => serviceType == typeof(IStopwatchProvider) ? this : null;

    private TimeSpan Read()
    {
        Interlocked.Exchange(ref _onClockRead, null)?.Invoke();
        lock (_gate)
        {
            return _clock;
        }
    }

    private sealed class Item(Func<IScheduler, object?, IDisposable> run, TimeSpan due)
    {
        public TimeSpan Due { get; set; } = due;

        public volatile bool Cancelled;

        public void Run(IScheduler scheduler) => run(scheduler, null);
    }

    private sealed class Stopwatch(ManualScheduler scheduler, TimeSpan start) : IStopwatch
    {
        public TimeSpan Elapsed => scheduler.Read() - start;
    }
}
