using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Http;

/// <summary>Cancels a connection that has been silent for too long, timed on an <see cref="IScheduler"/>.</summary>
/// <remarks>
/// <para>A read only records the time (no timer per chunk); the single timer, when it fires, checks how long ago the
/// last activity was and either cancels or sleeps for the rest of the window. Silence is measured on the scheduler's
/// stopwatch, which is monotonic on real time (a clock set back or forward is no silence) and virtual in tests.</para>
/// <para>The watch owns the cancellation source it cancels. A timer action may already be running on a scheduler
/// thread when the connection ends and disposes the watch: disposing the timer cannot stop it then. So the action and
/// <see cref="Dispose"/> share one atomic state, as Rx's <c>Timeout</c> operator does, and whichever of them finishes
/// last disposes the source: the action never cancels a disposed source, and nothing escapes on the scheduler's
/// thread.</para>
/// </remarks>
internal sealed class IdleWatch : IDisposable
{
    // The timer may fire: the source is live and nobody is cancelling it.
    private const int Watching = 0;

    // The timer action is inside Cancel: disposal must leave the source to it.
    private const int Cancelling = 1;

    // The timer cancelled the connection; the source stays until disposal.
    private const int Cancelled = 2;

    // Disposed: the source is disposed, or will be by the action that is still cancelling it.
    private const int Disposed = 3;

    private readonly IScheduler _scheduler;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _cancellation;
    private readonly IStopwatch _stopwatch;
    private readonly SerialDisposable _timer = new();
    private long _lastActivityTicks;
    private int _state;

    // Kept apart from the state, which disposal overwrites: the caller asks after the end whether the watch fired.
    private volatile bool _fired;

    /// <summary>Starts watching: the token is cancelled after <paramref name="timeout"/> of silence, or when <paramref name="connectionToken"/> is.</summary>
    public IdleWatch(IScheduler scheduler, TimeSpan timeout, CancellationToken connectionToken)
    {
        _scheduler = scheduler;
        _timeout = timeout;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(connectionToken);
        Token = _cancellation.Token;
        _stopwatch = scheduler.StartStopwatch();
        Arm(timeout);
    }

    /// <summary>Gets the token that the watch cancels after too long a silence (or when the connection's token is cancelled).</summary>
    public CancellationToken Token { get; }

    /// <summary>Gets a value indicating whether the watch cancelled the connection.</summary>
    public bool Fired => _fired;

    public TimeSpan Timeout => _timeout;

    /// <summary>Records activity now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivityTicks, _stopwatch.Elapsed.Ticks);

    public void Dispose()
    {
        _timer.Dispose();
        var previous = Interlocked.Exchange(ref _state, Disposed);
        if (previous is Watching or Cancelled)
        {
            _cancellation.Dispose();
        }

        // Cancelling: the action disposes the source once Cancel returns. Disposed: done already.
    }

    private void Arm(TimeSpan dueTime) => _timer.Disposable = _scheduler.Schedule(dueTime, Check);

    private void Check()
    {
        var silent = _stopwatch.Elapsed - TimeSpan.FromTicks(Volatile.Read(ref _lastActivityTicks));
        if (silent < _timeout)
        {
            // Armed after disposal, the SerialDisposable disposes the new timer at once.
            Arm(_timeout - silent);
            return;
        }

        if (Interlocked.CompareExchange(ref _state, Cancelling, Watching) != Watching)
        {
            // Disposed while this action was starting: the connection is over, nothing to cancel.
            return;
        }

        _fired = true;
        try
        {
            _cancellation.Cancel();
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Cancelling) != Cancelling)
            {
                // Disposed while Cancel ran: disposal left the source to us.
                _cancellation.Dispose();
            }
        }
    }
}
