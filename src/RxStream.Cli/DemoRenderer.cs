using RxStream.Ui;

namespace RxStream.Cli;

/// <summary>Prints a <see cref="ChatView"/>'s frames as the demo shows them: the answer on stdout, each status on a line of its own on stderr.</summary>
/// <remarks>
/// <para>
/// Statuses come straight from the stream through <see cref="Report"/>, not from the frames, which keep only the last
/// status of each frame and so would drop a <c>connecting</c> that an <c>open</c> follows within the same frame.
/// Frames give the answer and the final status.
/// </para>
/// <para>
/// When stdout and stderr share a terminal, a status that arrives in the middle of a sentence is held until that
/// sentence ends, then printed on its own line, and the answer goes on on the next line: a status never cuts into a
/// sentence. When they go to different places, the answer is written unchanged and each status at once. The final
/// status (<c>done</c>, <c>failed</c>) follows the last piece of text. Thread-safe: statuses and frames come from
/// different threads.
/// </para>
/// </remarks>
internal sealed class DemoRenderer(TextWriter output, TextWriter status, bool shareTerminal)
{
    // Statuses and frames come from different threads; the cursor position is shared state.
    private readonly object _gate = new();

    // Statuses waiting for the sentence in progress to end.
    private readonly List<string> _held = [];

    // How much of the answer is already printed.
    private int _shown;

    // The terminal's cursor is after some answer text, not at the start of a line.
    private bool _midLine;

    /// <summary>Prints a status on its own line: at once, or on a shared terminal once the sentence in progress ends.</summary>
    public void Report(string text)
    {
        lock (_gate)
        {
            _held.Add(text);
            if (!shareTerminal || !_midLine)
            {
                FlushStatuses();
            }

            status.Flush();
        }
    }

    /// <summary>Prints the answer's new text in <paramref name="frame"/>, and its status once it is the last frame; returns whether it was.</summary>
    /// <remarks>The status of a frame that is not the last is not printed: the view's first frame says only that it is connecting, and <see cref="Report"/> gives every status as it happens.</remarks>
    public bool Render(AnswerFrame frame)
    {
        lock (_gate)
        {
            var text = frame.Text.AsSpan(_shown);
            _shown = frame.Text.Length;
            while (_held.Count > 0 && SentenceEnd(text) is var end and > 0)
            {
                Write(text[..end]);
                text = text[end..];
                FlushStatuses();
            }

            Write(text);
            if (frame.IsFinal)
            {
                EndLine(always: true);
                FlushStatuses();
                status.WriteLine($"* {frame.Status}");
            }

            output.Flush();
            status.Flush();
            return frame.IsFinal;
        }
    }

    // The length of text up to and including the first sentence's end (., ! or ? followed by a space or the end of
    // the piece), or 0 when no sentence ends in it.
    private static int SentenceEnd(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private void Write(ReadOnlySpan<char> text)
    {
        if (shareTerminal && !_midLine)
        {
            // The answer goes on at the start of a fresh line: the space between two sentences is not kept there.
            text = text.TrimStart(' ');
        }

        if (text.IsEmpty)
        {
            return;
        }

        output.Write(text);
        _midLine = text[^1] != '\n';
    }

    private void FlushStatuses()
    {
        if (_held.Count == 0)
        {
            return;
        }

        EndLine(always: false);
        foreach (var held in _held)
        {
            status.WriteLine($"* {held}");
        }

        _held.Clear();
    }

    // Ends the answer's line: at the very end always (the answer ends with a line end), before a status only on a
    // shared terminal, where the status would otherwise land inside the answer's line.
    private void EndLine(bool always)
    {
        if (_midLine && (always || shareTerminal))
        {
            output.WriteLine();
            output.Flush();
            _midLine = false;
        }
    }
}
