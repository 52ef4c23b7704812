using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;
using RxStream.Coyote.Tests.Testing;
using RxStream.Resilience;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests.Resilience;

/// <summary>Races <c>Reconnect</c>'s two disposals against each other and against an attempt's end, each on a task Coyote schedules.</summary>
public sealed class ReconnectObservableTests(ITestOutputHelper output)
{
    [Fact]
    public void Reconnect_TwoDisposesRaceItemAndCompletion_ClosedExactlyOnceAndLast() => Interleavings.AssertNoBug(async () =>
    {
        var run = new Run(reconnectOnCompleted: false);
        var subscription = run.Subscribe();
        var attempt = run.Attempts[0];
        var ender = Task.Run(() =>
        {
            attempt.Observer.OnNext(1);
            attempt.Observer.OnCompleted();
        });
        var first = Task.Run(subscription.Dispose);
        var second = Task.Run(subscription.Dispose);
        await Interleavings.JoinAsync(ender, first, second);
        await run.Scheduler.DrainAsync();

        var closed = run.AssertClosedOnceAndLast();
        run.AssertGrammar();

        // Either the completion won, and the observer heard it, or a disposal did, and the observer heard nothing.
        Specification.Assert(closed.Cause is null, $"closed with {closed.Cause}");
        Specification.Assert(run.Downstream.Errors == 0, "an error from a completion");
        Specification.Assert(run.Attempts.Count == 1, $"{run.Attempts.Count} attempts after a completion that is not retried");
    }, output);

    [Fact]
    public void Reconnect_TwoDisposesRaceFinalError_ClosedExactlyOnceAndLast() => Interleavings.AssertNoBug(async () =>
    {
        var run = new Run(reconnectOnCompleted: false);
        var subscription = run.Subscribe();
        var attempt = run.Attempts[0];
        var failure = new InvalidOperationException("not transient");
        var ender = Task.Run(() => attempt.Observer.OnError(failure));
        var first = Task.Run(subscription.Dispose);
        var second = Task.Run(subscription.Dispose);
        await Interleavings.JoinAsync(ender, first, second);
        await run.Scheduler.DrainAsync();

        var closed = run.AssertClosedOnceAndLast();
        run.AssertGrammar();

        // The error ends the subscription only if it came before both disposals; then Closed carries it, and the observer hears it once.
        Specification.Assert(run.Downstream.Completions == 0, "a completion from an error");
        Specification.Assert(run.Downstream.Errors == (closed.Cause is null ? 0 : 1), $"{run.Downstream.Errors} errors, closed with {closed.Cause}");
        Specification.Assert(closed.Cause is null || ReferenceEquals(closed.Cause, failure), $"closed with {closed.Cause}");
    }, output);

    [Fact]
    public void Reconnect_TwoDisposesRaceTransientErrorAndReconnect_ClosedExactlyOnceAndLast() => Interleavings.AssertNoBug(async () =>
    {
        var run = new Run(reconnectOnCompleted: false);
        var subscription = run.Subscribe();
        var attempt = run.Attempts[0];

        // A transient error schedules the next attempt, whose timer runs on a task of its own: it races the disposals too.
        var ender = Task.Run(() => attempt.Observer.OnError(new IOException("dropped")));
        var first = Task.Run(subscription.Dispose);
        var second = Task.Run(subscription.Dispose);
        await Interleavings.JoinAsync(ender, first, second);
        await run.Scheduler.DrainAsync();

        var closed = run.AssertClosedOnceAndLast();
        run.AssertGrammar();
        Specification.Assert(closed.Cause is null, $"closed with {closed.Cause}");
        Specification.Assert(run.Downstream.Terminals == 0, "a terminal notification although only disposal ended the subscription");
        Specification.Assert(run.Attempts.Count <= 2, $"{run.Attempts.Count} attempts after one error");
        Specification.Assert(run.Attempts.TrueForAll(a => a.IsDisposed), "an attempt's connection was left open");
    }, output);

    [Fact]
    public void Reconnect_DisposeRacesCompletionWithReconnectOnCompleted_NothingAfterClosed() => Interleavings.AssertNoBug(async () =>
    {
        // The next attempt delivers as it is subscribed, on the reconnect timer's task: that races the disposal too.
        var run = new Run(reconnectOnCompleted: true, itemOnSubscribe: 2);
        var subscription = run.Subscribe();
        var attempt = run.Attempts[0];
        var ender = Task.Run(() =>
        {
            attempt.Observer.OnNext(1);
            attempt.Observer.OnCompleted();
        });
        var disposer = Task.Run(subscription.Dispose);

        await Interleavings.JoinAsync(ender, disposer);
        await run.Scheduler.DrainAsync();

        var closed = run.AssertClosedOnceAndLast();
        run.AssertGrammar();
        Specification.Assert(closed.Cause is null, $"closed with {closed.Cause}");
        Specification.Assert(run.Downstream.Terminals == 0, "a terminal notification although only disposal ended the subscription");
        Specification.Assert(run.Attempts.TrueForAll(a => a.IsDisposed), "an attempt's connection was left open");
    }, output);

    // One subscription to Reconnect over attempts the test ends by hand, with a status observer that checks its calls.
    private sealed class Run
    {
        private readonly object _gate = new();
        private readonly List<Attempt> _attempts = [];
        private readonly IObservable<int> _source;

        private readonly int? _itemOnSubscribe;

        public Run(bool reconnectOnCompleted, int? itemOnSubscribe = null)
        {
            _itemOnSubscribe = itemOnSubscribe;
            var options = new ReconnectOptions
            {
                ReconnectOnCompleted = reconnectOnCompleted,
                UseJitter = false,
                Status = Statuses,
            };
            _source = StreamObservable.Reconnect(_ => NewAttempt(), options, Scheduler);
        }

        public TaskTimerScheduler Scheduler { get; } = new();

        public StatusRecorder Statuses { get; } = new();

        public CheckingObserver<int> Downstream { get; } = new();

        public List<Attempt> Attempts
        {
            get
            {
                lock (_gate)
                {
                    return [.. _attempts];
                }
            }
        }

        public IDisposable Subscribe() => _source.Subscribe(Downstream);

        public ConnectionStatus.Closed AssertClosedOnceAndLast()
        {
            var statuses = Statuses.Snapshot();
            var closed = statuses.OfType<ConnectionStatus.Closed>().ToList();
            Specification.Assert(closed.Count == 1, $"Closed {closed.Count} times: {string.Join(", ", statuses)}");
            Specification.Assert(statuses[^1] is ConnectionStatus.Closed, $"Closed is not last: {string.Join(", ", statuses)}");
            Specification.Assert(Statuses.Overlaps == 0, $"{Statuses.Overlaps} overlapping status calls");
            return closed[0];
        }

        public void AssertGrammar()
        {
            Specification.Assert(Downstream.Terminals <= 1, $"{Downstream.Terminals} terminal notifications");
            Specification.Assert(Downstream.ItemsAfterTerminal == 0, $"{Downstream.ItemsAfterTerminal} items after the terminal notification");
            Specification.Assert(Downstream.Overlaps == 0, $"{Downstream.Overlaps} overlapping observer calls");
        }

        private Attempt NewAttempt()
        {
            Attempt attempt;
            lock (_gate)
            {
                attempt = new Attempt(_attempts.Count == 0 ? null : _itemOnSubscribe);
                _attempts.Add(attempt);
            }

            return attempt;
        }
    }

    // A connection the test drives: it keeps its observer, may deliver an item as it is subscribed, and records whether its subscription was disposed.
    private sealed class Attempt(int? itemOnSubscribe) : IObservable<int>
    {
        private IObserver<int>? _observer;
        private int _disposed;

        public IObserver<int> Observer => Volatile.Read(ref _observer) ?? throw new InvalidOperationException("not subscribed");

        public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

        public IDisposable Subscribe(IObserver<int> observer)
        {
            Volatile.Write(ref _observer, observer);
            if (itemOnSubscribe is { } item)
            {
                observer.OnNext(item);
            }

            return new Subscription(this);
        }

        private sealed class Subscription(Attempt attempt) : IDisposable
        {
            public void Dispose() => Volatile.Write(ref attempt._disposed, 1);
        }
    }

    // Records the statuses and whether two calls ever overlapped; each call offers Coyote a scheduling point inside.
    private sealed class StatusRecorder : IObserver<ConnectionStatus>
    {
        private readonly object _gate = new();
        private readonly List<ConnectionStatus> _statuses = [];
        private int _inside;
        private int _overlaps;

        public int Overlaps => Volatile.Read(ref _overlaps);

        public List<ConnectionStatus> Snapshot()
        {
            lock (_gate)
            {
                return [.. _statuses];
            }
        }

        public void OnNext(ConnectionStatus value)
        {
            if (Interlocked.Increment(ref _inside) > 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            SchedulingPoint.Interleave();
            lock (_gate)
            {
                _statuses.Add(value);
            }

            Interlocked.Decrement(ref _inside);
        }

        public void OnError(Exception error) => throw new InvalidOperationException("the status observer receives only OnNext", error);

        public void OnCompleted() => throw new InvalidOperationException("the status observer receives only OnNext");
    }
}
