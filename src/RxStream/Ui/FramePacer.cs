using System.Reactive.Concurrency;

namespace RxStream.Ui;

/// <summary>
/// Decides when a changed state is shown: at once when nothing was shown during the last frame, otherwise once at
/// the end of that frame, however many changes arrive meanwhile. Its owner calls every member under its own lock.
/// </summary>
/// <remarks>
/// <code>
/// changes  a-b--c----------d---|
/// frame    [------][------]
/// shown    a-------c-------d---(final at once)
/// </code>
/// </remarks>
internal sealed class FramePacer
{
    private readonly TimeSpan _frame;
    private readonly IScheduler _scheduler;
    private readonly object _gate;
    private readonly Action _show;

    // When the state was last shown; no frame has passed before the first showing.
    private DateTimeOffset? _shownAt;

    // The timer that shows the state at the end of the current frame, while a change waits for it.
    private IDisposable? _pending;

    // Set once the owner ended: a timer that fires late shows nothing.
    private bool _stopped;

    public FramePacer(TimeSpan frame, IScheduler scheduler, object gate, Action show)
    {
        _frame = frame;
        _scheduler = scheduler;
        _gate = gate;
        _show = show;
    }

    /// <summary>Records that the state was just shown (an initial snapshot, say), which starts a frame.</summary>
    public void Shown() => _shownAt = _scheduler.Now;

    /// <summary>Reports a change: shows it now, or makes sure it is shown at the end of the current frame.</summary>
    public void Changed()
    {
        if (_stopped || _pending is not null)
        {
            return;
        }

        var now = _scheduler.Now;
        if (_shownAt is not { } shownAt || now - shownAt >= _frame)
        {
            Show();
            return;
        }

        _pending = _scheduler.Schedule(this, shownAt + _frame - now, static (_, self) => self.Tick());
    }

    /// <summary>Cancels a waiting showing and refuses later ones; returns whether a change was waiting.</summary>
    public bool Stop()
    {
        _stopped = true;
        var waiting = _pending is not null;
        _pending?.Dispose();
        _pending = null;
        return waiting;
    }

    private IDisposable Tick()
    {
        lock (_gate)
        {
            if (!_stopped && _pending is not null)
            {
                _pending = null;
                Show();
            }
        }

        return System.Reactive.Disposables.Disposable.Empty;
    }

    private void Show()
    {
        _shownAt = _scheduler.Now;
        _show();
    }
}
