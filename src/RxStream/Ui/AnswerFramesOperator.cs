using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Text;
using RxStream.Resilience;

namespace RxStream.Ui;

/// <summary>Folds an answer's pieces and its connection's statuses into snapshots, at most one per frame, the final one at once.</summary>
internal sealed class AnswerFramesOperator(IObservable<string> answer, IObservable<ConnectionStatus>? status, TimeSpan frame, IScheduler scheduler)
    : IObservable<AnswerFrame>
{
    public IDisposable Subscribe(IObserver<AnswerFrame> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var sink = new Sink(observer, frame, scheduler);
        sink.Run(answer, status);
        return sink;
    }

    private sealed class Sink : IObserver<string>, IDisposable
    {
        private readonly object _gate = new();
        private readonly IObserver<AnswerFrame> _downstream;
        private readonly FramePacer _pacer;
        private readonly CompositeDisposable _upstream = [];

        // The answer so far; a string is made from it once per shown frame, not once per piece.
        private readonly StringBuilder _text = new();
        private AnswerPhase _phase = AnswerPhase.Connecting;
        private string _status = StatusText.Connecting;

        // Set by the answer's end or disposal: nothing is forwarded after it.
        private bool _done;

        public Sink(IObserver<AnswerFrame> downstream, TimeSpan frame, IScheduler scheduler)
        {
            _downstream = downstream;
            _pacer = new FramePacer(frame, scheduler, _gate, Show);
        }

        public void Run(IObservable<string> answer, IObservable<ConnectionStatus>? status)
        {
            // The first snapshot goes out at once, so that a UI says "connecting…" from the click on.
            lock (_gate)
            {
                _pacer.Shown();
                _downstream.OnNext(AnswerFrame.Start);
            }

            // The statuses are subscribed first: a source reports its first "connecting" as it is subscribed.
            if (status is not null)
            {
                _upstream.Add(status.Subscribe(OnStatus));
            }

            _upstream.Add(answer.Subscribe(this));
        }

        public void OnNext(string value)
        {
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                _text.Append(value);
                _phase = AnswerPhase.Receiving;
                _status = StatusText.Receiving;
                _pacer.Changed();
            }
        }

        public void OnError(Exception error) =>
            Terminate(AnswerPhase.Failed, StatusText.Failed(error), error);

        public void OnCompleted() => Terminate(AnswerPhase.Completed, StatusText.Completed, null);

        public void Dispose()
        {
            lock (_gate)
            {
                _done = true;
                _pacer.Stop();
            }

            _upstream.Dispose();
        }

        private void OnStatus(ConnectionStatus value)
        {
            lock (_gate)
            {
                // How the answer ended is the answer's own notification to say; a Closed status only echoes it.
                if (_done || value is ConnectionStatus.Closed)
                {
                    return;
                }

                (_phase, _status) = value switch
                {
                    ConnectionStatus.Connecting => (AnswerPhase.Connecting, StatusText.Describe(value)),
                    ConnectionStatus.Open => (AnswerPhase.Open, StatusText.Connected),
                    _ => (AnswerPhase.Reconnecting, StatusText.Describe(value)),
                };
                _pacer.Changed();
            }
        }

        // The last pieces may wait for a frame: the final snapshot carries them at once, then the sequence completes.
        // A failure is a state the UI shows, so it arrives as the final snapshot rather than as OnError.
        private void Terminate(AnswerPhase phase, string status, Exception? error)
        {
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                _done = true;
                _pacer.Stop();
                _phase = phase;
                _status = status;
                _downstream.OnNext(Snapshot() with { Error = error });
                _downstream.OnCompleted();
            }

            _upstream.Dispose();
        }

        private void Show() => _downstream.OnNext(Snapshot());

        private AnswerFrame Snapshot() => new(_text.ToString(), _phase, _status);
    }
}
