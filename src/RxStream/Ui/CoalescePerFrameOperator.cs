using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Ui;

/// <summary>Forwards the latest item at most once per frame, and the last one at once when the source ends.</summary>
internal sealed class CoalescePerFrameOperator<T>(IObservable<T> source, TimeSpan frame, IScheduler scheduler) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var sink = new Sink(observer, frame, scheduler);
        sink.Upstream.Disposable = source.Subscribe(sink);
        return sink;
    }

    private sealed class Sink : IObserver<T>, IDisposable
    {
        private readonly object _gate = new();
        private readonly IObserver<T> _downstream;
        private readonly FramePacer _pacer;

        // The item not yet forwarded, and whether there is one (T may be a value type or null).
        private T _latest = default!;
        private bool _hasLatest;

        // Set by a terminal notification or disposal: nothing is forwarded after it.
        private bool _done;

        public Sink(IObserver<T> downstream, TimeSpan frame, IScheduler scheduler)
        {
            _downstream = downstream;
            _pacer = new FramePacer(frame, scheduler, _gate, Forward);
        }

        public SingleAssignmentDisposable Upstream { get; } = new();

        public void OnNext(T value)
        {
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                _latest = value;
                _hasLatest = true;
                _pacer.Changed();
            }
        }

        public void OnError(Exception error) => Terminate(() => _downstream.OnError(error));

        public void OnCompleted() => Terminate(_downstream.OnCompleted);

        public void Dispose()
        {
            lock (_gate)
            {
                _done = true;
                _pacer.Stop();
            }

            Upstream.Dispose();
        }

        // The item a frame held back is what Sample would drop: it goes out first, then the terminal notification.
        private void Terminate(Action terminal)
        {
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                _done = true;
                _pacer.Stop();
                if (_hasLatest)
                {
                    Forward();
                }

                terminal();
            }

            Upstream.Dispose();
        }

        private void Forward()
        {
            var item = _latest;
            _latest = default!;
            _hasLatest = false;
            _downstream.OnNext(item);
        }
    }
}
