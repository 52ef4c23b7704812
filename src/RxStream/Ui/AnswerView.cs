using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Resilience;

namespace RxStream.Ui;

/// <summary>Streams one answer into snapshots a view binds, with a Stop that disposes the stream: the view-model of a chat page, a WPF window or a terminal.</summary>
/// <remarks>
/// <para>Creating it subscribes (and so connects). <see cref="Frames"/> replays the latest snapshot to each new
/// subscriber, then follows, at most one per frame, and completes after the final one.</para>
/// <para><see cref="Stop"/> disposes the subscription, which closes or aborts the connection, and ends the
/// snapshots with a <see cref="AnswerPhase.Stopped"/> one. Snapshots arrive on the threads of the stream and the
/// scheduler: hop to the UI thread (<c>ObserveOn</c>, or Blazor's <c>InvokeAsync</c>) to render them.</para>
/// </remarks>
public sealed class AnswerView : IDisposable
{
    private readonly object _gate = new();
    private readonly ReplaySubject<AnswerFrame> _frames = new(1);
    private readonly SingleAssignmentDisposable _subscription = new();

    // Stop ends the answer through this, so that the pieces still waiting for their frame make the final snapshot.
    private readonly AsyncSubject<Unit> _stop = new();

    // The latest snapshot, kept apart from the subject so that it stays readable after disposal.
    private AnswerFrame _current = AnswerFrame.Start;

    // Set by Dispose: the subject is gone, and late snapshots are dropped.
    private bool _disposed;

    /// <summary>Starts streaming <paramref name="answer"/>, reporting <paramref name="status"/> in the snapshots, on <see cref="DefaultScheduler.Instance"/>.</summary>
    /// <param name="answer">The answer's pieces; a cold source, subscribed once here.</param>
    /// <param name="status">The connection's statuses (the <see cref="ReconnectOptions.Status"/> observer's subject, say), or <see langword="null"/>.</param>
    /// <param name="frame">The shortest time between two snapshots, such as 50 ms.</param>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public AnswerView(IObservable<string> answer, IObservable<ConnectionStatus>? status, TimeSpan frame)
        : this(answer, status, frame, DefaultScheduler.Instance)
    {
    }

    /// <summary>Starts streaming <paramref name="answer"/>, reporting <paramref name="status"/> in the snapshots, timing frames on <paramref name="scheduler"/>.</summary>
    /// <param name="answer">The answer's pieces; a cold source, subscribed once here.</param>
    /// <param name="status">The connection's statuses, or <see langword="null"/>.</param>
    /// <param name="frame">The shortest time between two snapshots.</param>
    /// <param name="scheduler">The scheduler that times the frames.</param>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public AnswerView(IObservable<string> answer, IObservable<ConnectionStatus>? status, TimeSpan frame, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var frames = answer.TakeUntil(_stop).ToAnswerFrames(status, frame, scheduler);
        _frames.OnNext(_current);
        Frames = _frames.AsObservable();
        _subscription.Disposable = frames.Subscribe(frame => Update(_ => _stop.IsCompleted ? Stopped(frame) : frame));
    }

    /// <summary>Gets the snapshots: the latest at once, then each new one; completes after the final one.</summary>
    public IObservable<AnswerFrame> Frames { get; }

    /// <summary>Gets the latest snapshot.</summary>
    public AnswerFrame Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Stops the answer: disposes its subscription, which closes or aborts the connection, and ends the snapshots with a stopped one.</summary>
    /// <remarks>
    /// The stopped snapshot comes at once and holds every piece received, those still waiting for their frame
    /// included. Does nothing once the answer is over; safe to call from any thread and more than once.
    /// </remarks>
    public void Stop()
    {
        // Ending the answer (TakeUntil) disposes its subscription first, then flushes the final snapshot.
        _stop.OnNext(Unit.Default);
        _stop.OnCompleted();
        _subscription.Dispose();
        Update(current => current.Stop());
    }

    /// <summary>Disposes the subscription, closing the connection, and completes <see cref="Frames"/> without a further snapshot.</summary>
    /// <remarks>A later subscriber to <see cref="Frames"/> still receives the latest snapshot, then the end.</remarks>
    public void Dispose()
    {
        _subscription.Dispose();
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _frames.OnCompleted();
            }
        }
    }

    // The final snapshot of an answer that was stopped is a stopped one, whatever ended it last.
    private static AnswerFrame Stopped(AnswerFrame frame) =>
        frame.Phase is AnswerPhase.Completed ? frame with { Phase = AnswerPhase.Stopped, Status = StatusText.Stopped } : frame;

    // The stream's thread and the UI's meet here: under the lock, a late snapshot either lands before the final one
    // or finds the answer over and is dropped.
    private void Update(Func<AnswerFrame, AnswerFrame> change)
    {
        lock (_gate)
        {
            if (_disposed || _current.IsFinal)
            {
                return;
            }

            var frame = change(_current);
            if (frame == _current)
            {
                return;
            }

            _current = frame;
            _frames.OnNext(frame);
            if (frame.IsFinal)
            {
                _frames.OnCompleted();
            }
        }
    }
}
