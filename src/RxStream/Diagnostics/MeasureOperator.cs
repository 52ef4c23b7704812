using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Text;
using RxStream.Resilience;
using RxStream.ServerSentEvents;

namespace RxStream.Diagnostics;

/// <summary>Forwards a sequence unchanged and publishes <see cref="StreamStatistics"/> about it, timed on a scheduler.</summary>
internal sealed class MeasureOperator<T>(IObservable<T> source, IObserver<StreamStatistics> statistics, IObservable<ConnectionStatus>? status, IScheduler scheduler) : IObservable<T>
{
    // How many bytes an item holds, chosen once per item type.
    private static readonly Func<T, long>? ByteCount =
        typeof(T) == typeof(Chunk) ? (Func<T, long>)(object)(Func<Chunk, long>)(static c => c.Length)
        : typeof(T) == typeof(SseEvent) ? (Func<T, long>)(object)(Func<SseEvent, long>)(static e => Encoding.UTF8.GetByteCount(e.Data))
        : typeof(T) == typeof(string) ? (Func<T, long>)(object)(Func<string, long>)(static s => Encoding.UTF8.GetByteCount(s))
        : null;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var sink = new Sink(observer, statistics, scheduler);

        // The status stream first, so that a reconnect reported while the source subscribes is counted.
        sink.Status = status?.Subscribe(sink.OnStatus);
        sink.Upstream.Disposable = source.Subscribe(sink);
        return sink;
    }

    /// <summary>Holds one subscription's counts; every update and publication happens under one lock, so snapshots are in order.</summary>
    private sealed class Sink : IObserver<T>, IDisposable
    {
        private readonly Lock _gate = new();
        private readonly IObserver<T> _downstream;
        private readonly IObserver<StreamStatistics> _statistics;
        private readonly IScheduler _scheduler;
        private readonly DateTimeOffset _subscribed;
        private DateTimeOffset? _firstItem;
        private DateTimeOffset _lastItem;
        private long _items;
        private long _bytes;
        private int _reconnects;
        private bool _ended;

        public Sink(IObserver<T> downstream, IObserver<StreamStatistics> statistics, IScheduler scheduler)
        {
            _downstream = downstream;
            _statistics = statistics;
            _scheduler = scheduler;
            _subscribed = scheduler.Now;
            lock (_gate)
            {
                Publish(_subscribed);
            }
        }

        public IDisposable? Status { get; set; }

        // Disposed after the terminal notification; a source that ends inside Subscribe is disposed on assignment.
        public SingleAssignmentDisposable Upstream { get; } = new();

        public void OnNext(T value)
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return;
                }

                var now = _scheduler.Now;
                _firstItem ??= now;
                _lastItem = now;
                _items++;
                _bytes += ByteCount?.Invoke(value) ?? 0;
                Publish(now);
            }

            _downstream.OnNext(value);
        }

        public void OnError(Exception error)
        {
            if (End())
            {
                _downstream.OnError(error);
                Upstream.Dispose();
            }
        }

        public void OnCompleted()
        {
            if (End())
            {
                _downstream.OnCompleted();
                Upstream.Dispose();
            }
        }

        public void OnStatus(ConnectionStatus value)
        {
            if (value is not ConnectionStatus.Reconnecting)
            {
                return;
            }

            lock (_gate)
            {
                if (!_ended)
                {
                    _reconnects++;
                    Publish(_scheduler.Now);
                }
            }
        }

        public void Dispose()
        {
            End();
            Upstream.Dispose();
        }

        // Publishes the last snapshot once; says whether this call did, so the terminal notification goes out once.
        private bool End()
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return false;
                }

                Publish(_scheduler.Now, ended: true);
                _ended = true;
            }

            Status?.Dispose();
            return true;
        }

        private void Publish(DateTimeOffset now, bool ended = false) => _statistics.OnNext(new StreamStatistics(
            now - _subscribed,
            _firstItem - _subscribed,
            _items,
            _bytes,
            _reconnects,
            _firstItem is { } first ? _lastItem - first : TimeSpan.Zero,
            ended));
    }
}
