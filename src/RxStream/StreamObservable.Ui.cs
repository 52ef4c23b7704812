using System.Reactive.Concurrency;
using System.Reactive.Linq;
using RxStream.Resilience;
using RxStream.Ui;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Forwards the latest item at most once per <paramref name="frame"/>, and the last one at once when the source ends.</summary>
    /// <typeparam name="T">The item type, typically a state to render.</typeparam>
    /// <param name="source">The items, as fast as they come.</param>
    /// <param name="frame">The shortest time between two forwarded items, such as one display frame.</param>
    /// <returns>The items a UI needs to render: an item that arrives after a quiet frame at once, later ones coalesced to the frame's end.</returns>
    /// <remarks>See <see cref="CoalescePerFrame{T}(IObservable{T}, TimeSpan, IScheduler)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public static IObservable<T> CoalescePerFrame<T>(this IObservable<T> source, TimeSpan frame) => source.CoalescePerFrame(frame, DefaultScheduler.Instance);

    /// <summary>Forwards the latest item at most once per <paramref name="frame"/> on <paramref name="scheduler"/>, and the last one at once when the source ends.</summary>
    /// <typeparam name="T">The item type, typically a state to render.</typeparam>
    /// <param name="source">The items, as fast as they come.</param>
    /// <param name="frame">The shortest time between two forwarded items.</param>
    /// <param name="scheduler">The scheduler that times the frames.</param>
    /// <returns>The items a UI needs to render.</returns>
    /// <remarks>
    /// Unlike <c>Sample</c>, the item a frame held back is not dropped when the source ends: it is forwarded at once,
    /// before <c>OnCompleted</c> or <c>OnError</c>. An item after a quiet frame is forwarded at once (no added
    /// latency); items within a frame are coalesced to the latest, forwarded at the frame's end from the scheduler.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public static IObservable<T> CoalescePerFrame<T>(this IObservable<T> source, TimeSpan frame, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(frame, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(scheduler);
        return new CoalescePerFrameOperator<T>(source, frame, scheduler);
    }

    /// <summary>Folds an answer's pieces and its connection's statuses into snapshots a UI renders, at most one per <paramref name="frame"/>.</summary>
    /// <param name="answer">The answer's pieces, such as the text before a sentinel.</param>
    /// <param name="status">The connection's statuses (what <see cref="ReconnectOptions.Status"/> receives), or <see langword="null"/>.</param>
    /// <param name="frame">The shortest time between two snapshots.</param>
    /// <returns>The snapshots; see <see cref="ToAnswerFrames(IObservable{string}, IObservable{ConnectionStatus}?, TimeSpan, IScheduler)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public static IObservable<AnswerFrame> ToAnswerFrames(this IObservable<string> answer, IObservable<ConnectionStatus>? status, TimeSpan frame) =>
        answer.ToAnswerFrames(status, frame, DefaultScheduler.Instance);

    /// <summary>Folds an answer's pieces and its connection's statuses into snapshots a UI renders, at most one per <paramref name="frame"/> on <paramref name="scheduler"/>.</summary>
    /// <param name="answer">The answer's pieces, such as the text before a sentinel.</param>
    /// <param name="status">The connection's statuses (what <see cref="ReconnectOptions.Status"/> receives), or <see langword="null"/>.</param>
    /// <param name="frame">The shortest time between two snapshots.</param>
    /// <param name="scheduler">The scheduler that times the frames.</param>
    /// <returns>
    /// A <see cref="AnswerFrame.Start"/> snapshot at once, then a snapshot per frame while anything changes, then the
    /// final one (<see cref="AnswerPhase.Completed"/>, or <see cref="AnswerPhase.Failed"/> carrying the error) as
    /// soon as the answer ends, with every piece in it; then <c>OnCompleted</c>.
    /// </returns>
    /// <remarks>
    /// <para>Each subscription subscribes to <paramref name="status"/> and then to <paramref name="answer"/>;
    /// disposing it disposes both, which closes the connection: that is a Stop button (see
    /// <see cref="AnswerFrame.Stop"/> for the snapshot to show then, or <see cref="AnswerView"/>, which does both).</para>
    /// <para>An error of the answer is a state to show, so it ends the snapshots normally. The text is joined once
    /// per snapshot, not once per piece. Snapshots arrive on the answer's threads and the scheduler's.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is not positive.</exception>
    public static IObservable<AnswerFrame> ToAnswerFrames(this IObservable<string> answer, IObservable<ConnectionStatus>? status, TimeSpan frame, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(frame, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(scheduler);
        return new AnswerFramesOperator(answer, status, frame, scheduler);
    }

    /// <summary>Describes each status in a few words a person reads: "connecting…", "connected", "reconnecting in 3 s", "closed".</summary>
    /// <param name="source">The statuses of a reconnecting source.</param>
    /// <returns>One status line per status; see <see cref="StatusText.Describe(ConnectionStatus)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<string> ToStatusText(this IObservable<ConnectionStatus> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(StatusText.Describe);
    }
}
