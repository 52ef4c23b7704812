namespace RxStream.Ui;

/// <summary>Holds one snapshot of a streamed answer for a UI to render: the text so far, the stage, and a status line a person can read.</summary>
/// <param name="Text">The answer so far: every piece received, in order, joined.</param>
/// <param name="Phase">The stage the answer is at.</param>
/// <param name="Status">The status line, such as "connecting…", "reconnecting in 3 s" or "stopped".</param>
/// <param name="Error">The error that ended the answer when <paramref name="Phase"/> is <see cref="AnswerPhase.Failed"/>; otherwise <see langword="null"/>.</param>
/// <remarks>Snapshots are immutable and safe to keep.</remarks>
public sealed record AnswerFrame(string Text, AnswerPhase Phase, string Status, Exception? Error = null)
{
    /// <summary>Gets the snapshot of an answer that has just started: no text, connecting.</summary>
    public static AnswerFrame Start { get; } = new(string.Empty, AnswerPhase.Connecting, StatusText.Connecting);

    /// <summary>Gets a value indicating whether the answer is over (completed, failed or stopped), so that no snapshot follows.</summary>
    public bool IsFinal => Phase is AnswerPhase.Completed or AnswerPhase.Failed or AnswerPhase.Stopped;

    /// <summary>Returns the snapshot the answer ends with when the user stops it now: the same text, stopped; a final snapshot is returned unchanged.</summary>
    /// <returns>The stopped snapshot.</returns>
    public AnswerFrame Stop() => IsFinal ? this : this with { Phase = AnswerPhase.Stopped, Status = StatusText.Stopped };
}
