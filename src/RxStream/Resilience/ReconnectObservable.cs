using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using RxStream.Diagnostics;

namespace RxStream.Resilience;

/// <summary>Subscribes to a fresh connection after each retryable end, under a <see cref="ReconnectOptions"/> policy.</summary>
/// <remarks>
/// <para>Attempts never overlap: the next is scheduled only after the previous one has ended, so the downstream
/// observer sees one serialized sequence. Disposal stops the current attempt (aborting its connection) or the
/// pending timer, whichever is live.</para>
/// <para>The subscription ends exactly once: one field, changed with <see cref="Interlocked"/>, decides whether a
/// terminal notification, an exception thrown by the observer or a disposal (two racing ones included) ends it;
/// the loser of that race does nothing. Each attempt ends at most once too, and what it reports after its end, or
/// after the subscription's, is ignored.</para>
/// <para>Statuses go out under a lock, so the status observer is never called from two threads at once, and after
/// the one <see cref="ConnectionStatus.Closed"/> nothing more is reported.</para>
/// <para>An exception thrown by the downstream observer is never retried: the subscription is torn down and the
/// exception travels on up to whoever delivered the item.</para>
/// </remarks>
internal static class ReconnectObservable
{
    internal interface ISession
    {
        void ReportOpen(ReconnectContext context, object? details);

        void SetRetryDelay(ReconnectContext context, TimeSpan delay);

        /// <summary>Gets a token cancelled once the subscription has ended, so that no attempt follows.</summary>
        CancellationToken Ended { get; }
    }

    public static IObservable<T> Create<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options, IScheduler scheduler) =>
        new Source<T>(connect, options, scheduler);

    private sealed class Source<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options, IScheduler scheduler) : IObservable<T>
    {
        public IDisposable Subscribe(IObserver<T> observer)
        {
            ArgumentNullException.ThrowIfNull(observer);
            // A Reconnect that is itself the source of another (one attempt of the outer policy) passes its source's
            // openings outward, so that the outer status observer sees them too.
            var session = new Session<T>(connect, options, scheduler, observer, ReconnectContext.Current);
            session.Connect();
            return session;
        }
    }

    private sealed class Session<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options, IScheduler scheduler, IObserver<T> downstream, ReconnectContext? outer) : ISession, IDisposable
    {
        private const int Running = 0;
        private const int Stopped = 1;

        // The live attempt or the pending timer; disposed once, at the end.
        private readonly SerialDisposable _current = new();

        // Serializes the status observer's calls.
        private readonly object _statusGate = new();

        // Cancelled once, when the subscription stops: what an attempt left waiting for the next one (a WebSocket's
        // queued sends) learns there will be none. No timer hangs on it, so it needs no disposal.
        private readonly CancellationTokenSource _ended = new();

        // Running or Stopped: the one state that decides, with Interlocked, who ends the subscription.
        private int _state;

        // The attempt whose notifications count; null between an attempt's end and the next one's start.
        private ReconnectContext? _attempt;

        // Touched only by the attempt in progress and the timer that starts the next, which never overlap.
        private int _attempts;
        private int _failures;
        private TimeSpan? _serverDelay;

        // Measures how long the current attempt's connection has been open; null until it opens.
        private IStopwatch? _openFor;

        private bool IsStopped => Volatile.Read(ref _state) == Stopped;

        public void Connect()
        {
            if (IsStopped)
            {
                return;
            }

            var context = new ReconnectContext(this, ++_attempts, _failures);
            _openFor = null;
            Volatile.Write(ref _attempt, context);
            Report(new ConnectionStatus.Connecting(context.Attempt));

            // If the attempt ends synchronously, the reconnect timer replaces this slot and the subscription that
            // arrives late is disposed on assignment.
            var slot = new SingleAssignmentDisposable();
            _current.Disposable = slot;
            IObservable<T> connection;
            try
            {
                connection = connect(context);
            }
            catch (Exception error)
            {
                // What the user's connect function throws is the attempt's error.
                End(context, error);
                return;
            }

            // The source, however many operators up, learns its attempt here (ReconnectContext.Current).
            using (ReconnectContext.Enter(context))
            {
                slot.Disposable = connection.Subscribe(new AttemptObserver(this, context));
            }
        }

        public void ReportOpen(ReconnectContext context, object? details)
        {
            if (IsCurrent(context))
            {
                _openFor ??= scheduler.StartStopwatch();
                Report(new ConnectionStatus.Open(context.Attempt, details));
                outer?.ReportOpen(details);
            }
        }

        public void SetRetryDelay(ReconnectContext context, TimeSpan delay)
        {
            if (IsCurrent(context))
            {
                _serverDelay = delay;
            }
        }

        public CancellationToken Ended => _ended.Token;

        public void Dispose() => TryStop(null);

        private bool IsCurrent(ReconnectContext context) => !IsStopped && ReferenceEquals(Volatile.Read(ref _attempt), context);

        private void Next(ReconnectContext context, T value)
        {
            if (!IsCurrent(context))
            {
                return;
            }

            // A source that never reports its opening is open once it delivers.
            _openFor ??= scheduler.StartStopwatch();
            try
            {
                if (ReconnectContext.Current is null)
                {
                    downstream.OnNext(value);
                }
                else
                {
                    // An item delivered while the source is being subscribed: whatever the observer subscribes in
                    // response is not part of this attempt.
                    using (ReconnectContext.Enter(null))
                    {
                        downstream.OnNext(value);
                    }
                }
            }
            catch
            {
                // The observer's own bug: never a reason to reconnect. Tear down, then let it travel on.
                TryStop(null);
                throw;
            }
        }

        private void End(ReconnectContext context, Exception? error)
        {
            // An attempt ends once: a second terminal notification, or one that lost to a disposal, is ignored.
            if (IsStopped || Interlocked.CompareExchange(ref _attempt, null, context) != context)
            {
                return;
            }

            var retry = error is null
                ? options.ReconnectOnCompleted
                : (options.ShouldReconnect ?? ReconnectOptions.IsTransient)(error);
            if (!retry || context.StopRequested)
            {
                Finish(error);
                return;
            }

            if (_openFor is { } open && open.Elapsed >= options.BackoffResetThreshold)
            {
                // A connection that held long enough was a success: the backoff starts afresh.
                _failures = 0;
            }

            _failures++;
            if (options.MaxFailedAttempts is { } limit && _failures >= limit)
            {
                Finish(error);
                return;
            }

            var random = options.UseJitter ? (options.Randomizer ?? Random.Shared.NextDouble)() : 0;
            var delay = options.NextDelay(_failures, _serverDelay, (error as RxStreamException)?.RetryAfter, random);
            Instruments.Reconnecting(error);
            Report(new ConnectionStatus.Reconnecting(_attempts + 1, delay, error));

            // Hold the slot before scheduling: with a short delay Connect may run (on another thread, or inside
            // Schedule itself) before Schedule returns, and store its own attempt in _current. Storing the timer
            // afterwards would then dispose that attempt; assigning it to this slot, already replaced, disposes only
            // the timer, which has fired. Once the subscription has stopped, the assignment disposes the slot at once.
            var timer = new SingleAssignmentDisposable();
            _current.Disposable = timer;
            if (delay <= ReconnectOptions.LongestDelay)
            {
                timer.Disposable = scheduler.Schedule(delay, Connect);
            }

            // Longer means never: no timer, and the subscription waits for its disposal.
        }

        private void Finish(Exception? error)
        {
            if (!TryStop(error))
            {
                return;
            }

            if (error is null)
            {
                downstream.OnCompleted();
            }
            else
            {
                downstream.OnError(error);
            }
        }

        private bool TryStop(Exception? cause)
        {
            if (Interlocked.Exchange(ref _state, Stopped) == Stopped)
            {
                return false;
            }

            Volatile.Write(ref _attempt, null);
            _current.Dispose();

            // Before the observer hears the end: whatever waited for another attempt gives up first.
            _ended.Cancel();
            Report(new ConnectionStatus.Closed(cause));
            return true;
        }

        private void Report(ConnectionStatus status)
        {
            if (options.Status is not { } observer)
            {
                return;
            }

            lock (_statusGate)
            {
                // Closed comes only from the one caller that stopped the subscription, after it did; anything else
                // checked here, under the lock, so it can neither follow Closed nor overlap it.
                if (status is not ConnectionStatus.Closed && IsStopped)
                {
                    return;
                }

                observer.OnNext(status);
            }
        }

        private sealed class AttemptObserver(Session<T> session, ReconnectContext context) : IObserver<T>
        {
            public void OnNext(T value) => session.Next(context, value);

            public void OnError(Exception error) => session.End(context, error);

            public void OnCompleted() => session.End(context, null);
        }
    }
}
