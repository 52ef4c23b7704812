using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using RxStream.Diagnostics;

namespace RxStream.Resilience;

/// <summary>Subscribes to a fresh connection after each retryable end, under a <see cref="ReconnectOptions"/> policy.</summary>
/// <remarks>
/// <para>Attempts never overlap: the next is scheduled only after the previous one has ended, so the downstream
/// observer sees one serialized sequence. Disposal stops the current attempt (aborting its connection) or the
/// pending timer, whichever is live.</para>
/// <para>An exception thrown by the downstream observer is never retried: the subscription is torn down and the
/// exception travels on up to whoever delivered the item.</para>
/// </remarks>
internal static class ReconnectObservable
{
    internal interface ISession
    {
        void ReportOpen(ReconnectContext context, object? details);

        void SetRetryDelay(TimeSpan delay);
    }

    public static IObservable<T> Create<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options) => new Source<T>(connect, options);

    private sealed class Source<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options) : IObservable<T>
    {
        public IDisposable Subscribe(IObserver<T> observer)
        {
            ArgumentNullException.ThrowIfNull(observer);
            var session = new Session<T>(connect, options, observer);
            session.Connect();
            return session;
        }
    }

    private sealed class Session<T>(Func<ReconnectContext, IObservable<T>> connect, ReconnectOptions options, IObserver<T> downstream) : ISession, IDisposable
    {
        private readonly SerialDisposable _current = new();
        private readonly IScheduler _scheduler = options.Scheduler ?? DefaultScheduler.Instance;
        private ReconnectContext? _attempt;
        private int _attempts;
        private int _failures;
        private TimeSpan? _serverDelay;
        private bool _dataSeen;
        private volatile bool _stopped;

        public void Connect()
        {
            if (_stopped)
            {
                return;
            }

            var context = new ReconnectContext(this, ++_attempts, _failures);
            Volatile.Write(ref _attempt, context);
            _dataSeen = false;
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

            slot.Disposable = connection.Subscribe(new AttemptObserver(this, context));
        }

        public void ReportOpen(ReconnectContext context, object? details)
        {
            if (IsCurrent(context))
            {
                Report(new ConnectionStatus.Open(context.Attempt, details));
            }
        }

        public void SetRetryDelay(TimeSpan delay) => _serverDelay = delay;

        public void Dispose()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _current.Dispose();
            Report(new ConnectionStatus.Closed(null));
        }

        private bool IsCurrent(ReconnectContext context) => !_stopped && ReferenceEquals(Volatile.Read(ref _attempt), context);

        private void Next(ReconnectContext context, T value)
        {
            if (!IsCurrent(context))
            {
                return;
            }

            if (!_dataSeen)
            {
                // A connection that delivers data is a success: the next failure starts the backoff afresh.
                _dataSeen = true;
                _failures = 0;
            }

            try
            {
                downstream.OnNext(value);
            }
            catch
            {
                // The observer's own bug: never a reason to reconnect. Tear down, then let it travel on.
                Stop();
                throw;
            }
        }

        private void End(ReconnectContext context, Exception? error)
        {
            if (!IsCurrent(context))
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
            if (!_stopped)
            {
                // Hold the slot before scheduling: with a short delay Connect may run (on another thread, or inside
                // Schedule itself) before Schedule returns, and store its own attempt in _current. Storing the timer
                // afterwards would then dispose that attempt; assigning it to this slot, already replaced, disposes
                // only the timer, which has fired.
                var timer = new SingleAssignmentDisposable();
                _current.Disposable = timer;
                timer.Disposable = _scheduler.Schedule(delay, Connect);
            }
        }

        private void Finish(Exception? error)
        {
            if (_stopped)
            {
                return;
            }

            Stop(error);
            if (error is null)
            {
                downstream.OnCompleted();
            }
            else
            {
                downstream.OnError(error);
            }
        }

        private void Stop(Exception? cause = null)
        {
            _stopped = true;
            _current.Dispose();
            Report(new ConnectionStatus.Closed(cause));
        }

        private void Report(ConnectionStatus status) => options.Status?.OnNext(status);

        private sealed class AttemptObserver(Session<T> session, ReconnectContext context) : IObserver<T>
        {
            public void OnNext(T value) => session.Next(context, value);

            public void OnError(Exception error) => session.End(context, error);

            public void OnCompleted() => session.End(context, null);
        }
    }
}
