using RxStream.ServerSentEvents;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Parses a byte stream as Server-Sent Events, exactly as a browser's <c>EventSource</c> interprets it.</summary>
    /// <param name="source">The bytes of the event stream, split anyhow.</param>
    /// <param name="options">Limits, the data format and the comment callback; the defaults when <see langword="null"/>.</param>
    /// <returns>The dispatched events.</returns>
    /// <remarks>
    /// <para>Follows the WHATWG "event stream interpretation": UTF-8 with U+FFFD for invalid bytes, one leading BOM
    /// ignored, CRLF, LF or CR line ends (a CRLF split across chunks counts once), comments, one space after the
    /// colon removed, data lines joined with LF, the last event ID kept across events, <c>retry</c> taken only when
    /// all digits, and an event not closed by a blank line before the end discarded.</para>
    /// <para>A line or event over its limit fails the sequence with <see cref="StreamLimitExceededException"/> after
    /// the events already dispatched. The cost is linear in the input however it is split.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<SseEvent> ParseSse(this IObservable<Chunk> source, SseParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ParseSseOperator(source, options ?? new SseParserOptions());
    }
}
