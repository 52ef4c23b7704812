using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Http;

/// <summary>Cancels a connection that has been silent for too long, timed on an <see cref="IScheduler"/>.</summary>
/// <remarks>
/// A read only records the time (no timer per chunk); the single timer, when it fires, checks how long ago the
/// last activity was and either cancels or sleeps for the rest of the window.
/// </remarks>
internal sealed class IdleWatch : IDisposable
{
    private readonly IScheduler _scheduler;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _cancellation;
    private readonly SerialDisposable _timer = new();
    private long _lastActivityTicks;
    private volatile bool _fired;

    public IdleWatch(IScheduler scheduler, TimeSpan timeout, CancellationTokenSource cancellation)
    {
        _scheduler = scheduler;
        _timeout = timeout;
        _cancellation = cancellation;
        Touch();
        Arm(timeout);
    }

    /// <summary>Gets a value indicating whether the watch cancelled the connection.</summary>
    public bool Fired => _fired;

    public TimeSpan Timeout => _timeout;

    /// <summary>Records activity now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivityTicks, _scheduler.Now.UtcTicks);

    public void Dispose() => _timer.Dispose();

    private void Arm(TimeSpan dueTime) => _timer.Disposable = _scheduler.Schedule(dueTime, Check);

    private void Check()
    {
        var silent = TimeSpan.FromTicks(_scheduler.Now.UtcTicks - Volatile.Read(ref _lastActivityTicks));
        if (silent >= _timeout)
        {
            _fired = true;
            _cancellation.Cancel();
        }
        else
        {
            Arm(_timeout - silent);
        }
    }
}
