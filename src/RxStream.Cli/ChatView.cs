using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Resilience;

namespace RxStream.Cli;

/// <summary>The reactive-UI shape: the answer so far and the connection's status, driven by a stream, with updates coalesced to a frame rate.</summary>
/// <remarks>
/// A UI binds <see cref="Frames"/> (one snapshot per frame at most, on the scheduler it gives) and calls
/// <see cref="Cancel"/> for its Stop button: that disposes the subscription, which closes or aborts the connection.
/// </remarks>
internal sealed class ChatView : IDisposable
{
    private readonly BehaviorSubject<ChatFrame> _state = new(new ChatFrame(string.Empty, "idle", false, null));
    private readonly IDisposable _subscription;

    public ChatView(IObservable<string> answer, IObservable<ConnectionStatus> status, TimeSpan frame, IScheduler scheduler)
    {
        Frames = _state.Sample(frame, scheduler).Merge(_state.Where(f => f.Done).Take(1)).DistinctUntilChanged();
        var statusUpdates = status.Subscribe(s => Update(f => f with { Status = s.ToString() }));
        var answerUpdates = answer.Subscribe(
            piece => Update(f => f with { Text = f.Text + piece }),
            error => Update(f => f with { Done = true, Error = error, Status = "failed" }),
            () => Update(f => f with { Done = true, Status = "done" }));
        _subscription = new System.Reactive.Disposables.CompositeDisposable(answerUpdates, statusUpdates);
    }

    /// <summary>Gets the snapshots, at most one per frame, and the final one as soon as the answer ends.</summary>
    public IObservable<ChatFrame> Frames { get; }

    /// <summary>Gets the latest snapshot.</summary>
    public ChatFrame Current => _state.Value;

    /// <summary>Stops the stream: disposes the subscription, which aborts the connection.</summary>
    public void Cancel()
    {
        _subscription.Dispose();
        Update(f => f.Done ? f : f with { Done = true, Status = "cancelled" });
    }

    public void Dispose()
    {
        _subscription.Dispose();

        // A stream that is ending reports its last status on its own thread while the view is disposed on the UI's:
        // under the lock, such a late update either lands first or sees the state disposed and is dropped.
        lock (_state)
        {
            _state.Dispose();
        }
    }

    private void Update(Func<ChatFrame, ChatFrame> change)
    {
        lock (_state)
        {
            if (!_state.IsDisposed)
            {
                _state.OnNext(change(_state.Value));
            }
        }
    }
}

/// <summary>One snapshot of a <see cref="ChatView"/>.</summary>
internal sealed record ChatFrame(string Text, string Status, bool Done, Exception? Error);
