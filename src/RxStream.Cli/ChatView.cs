using System.Reactive.Concurrency;
using RxStream.Resilience;
using RxStream.Ui;

namespace RxStream.Cli;

/// <summary>The demo's view of an answer: RxStream's <see cref="AnswerView"/>, which a Blazor page or a desktop view-model binds the same way.</summary>
/// <remarks>
/// A UI binds <see cref="Frames"/> (one snapshot per frame at most, on the scheduler it gives, and the final one at
/// once) and calls <see cref="Cancel"/> for its Stop button: that disposes the subscription, which closes or aborts
/// the connection.
/// </remarks>
internal sealed class ChatView(IObservable<string> answer, IObservable<ConnectionStatus> status, TimeSpan frame, IScheduler scheduler) : IDisposable
{
    private readonly AnswerView _view = new(answer, status, frame, scheduler);

    /// <summary>Gets the snapshots, at most one per frame, and the final one as soon as the answer ends.</summary>
    public IObservable<AnswerFrame> Frames => _view.Frames;

    /// <summary>Gets the latest snapshot.</summary>
    public AnswerFrame Current => _view.Current;

    /// <summary>Stops the stream: disposes the subscription, which aborts the connection.</summary>
    public void Cancel() => _view.Stop();

    public void Dispose() => _view.Dispose();
}
