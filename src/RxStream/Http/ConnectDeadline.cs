using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Http;

/// <summary>Cancels a token when the response headers are late: one deadline shared by a timer action and the disposal that may race it.</summary>
/// <remarks>
/// <para>A scheduler cannot promise that disposing a timer stops an action that has already started, so the action
/// and <see cref="Dispose"/> meet on one atomic state, as Rx's <c>Timeout</c> operator's timer and its source do:
/// whichever moves the state first decides, and the token source is disposed exactly once, by the one that leaves
/// last. Before, the action cancelled a token source that the finished connection had already disposed, and the
/// <see cref="ObjectDisposedException"/> ended the process on a scheduler thread.</para>
/// </remarks>
//   timer:   ──[Armed→Firing]──Cancel()──[Firing→Fired? no: Disposed]── dispose the source
//   dispose: ─────────────[→Disposed, was Firing: leave the source to the action]──
internal sealed class ConnectDeadline : IDisposable
{
    // Waiting for the timer; neither side has acted.
    private const int Armed = 0;

    // The timer action won and is cancelling the token right now; disposal must not dispose the source under it.
    private const int Firing = 1;

    // The timer action finished cancelling; disposal disposes the source.
    private const int Fired = 2;

    // Disposed; a timer action that starts now does nothing.
    private const int Disposed = 3;

    private readonly CancellationTokenSource _source;
    private readonly IDisposable _timer;
    private int _state;

    // Set before the token is cancelled, so that a catch filter that sees the cancellation also sees why.
    private volatile bool _hasFired;

    /// <summary>Starts the deadline; <see cref="Timeout.InfiniteTimeSpan"/> starts none.</summary>
    public ConnectDeadline(IScheduler scheduler, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Timeout = timeout;
        _timer = timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? Disposable.Empty
            : scheduler.Schedule(this, timeout, static (_, self) =>
            {
                self.Fire();
                return Disposable.Empty;
            });
    }

    /// <summary>Gets the limit this deadline enforces.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets the token to send with: cancelled by the caller's token or by the deadline.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gets a value indicating whether the deadline passed (and cancelled <see cref="Token"/>).</summary>
    public bool HasFired => _hasFired;

    /// <summary>Stops the deadline; safe to call from any thread, any number of times, while the timer action runs.</summary>
    public void Dispose()
    {
        var previous = Interlocked.Exchange(ref _state, Disposed);
        if (previous == Disposed)
        {
            return;
        }

        _timer.Dispose();

        // A timer action still cancelling holds the source: it disposes it when it sees this state.
        if (previous != Firing)
        {
            _source.Dispose();
        }
    }

    private void Fire()
    {
        if (Interlocked.CompareExchange(ref _state, Firing, Armed) != Armed)
        {
            return;
        }

        _hasFired = true;
        try
        {
            _source.Cancel();
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Fired, Firing) != Firing)
            {
                // Disposed while this action cancelled: the source is this action's to dispose.
                _source.Dispose();
            }
        }
    }
}
