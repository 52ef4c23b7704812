using RxStream.Text;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Decodes UTF-8 chunks into text exactly as a browser's <c>TextDecoder</c> fed with <c>{stream: true}</c> per chunk and flushed at the end.</summary>
    /// <param name="source">The bytes, split anyhow.</param>
    /// <param name="options">BOM and fatal-mode options; <c>TextDecoder</c>'s defaults when <see langword="null"/>.</param>
    /// <returns>The text, one string per chunk that completes any; never an empty string.</returns>
    /// <remarks>
    /// A sequence split across chunks is held until complete; each invalid or truncated sequence (a truncated one at
    /// the end included) becomes one U+FFFD per maximal subpart; a leading BOM is dropped unless kept. In fatal mode
    /// the text before a bad sequence is emitted, then <see cref="Utf8DecodeException"/> gives its byte offset.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<string> DecodeUtf8(this IObservable<Chunk> source, Utf8DecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new DecodeUtf8Operator(source, options ?? new Utf8DecodeOptions());
    }

    /// <summary>Splits text into lines ended by LF, CR or CRLF, whatever the pieces.</summary>
    /// <param name="source">The text, split anyhow.</param>
    /// <param name="options">The longest line accepted, in chars (<see cref="SplitLinesOptions.DefaultMaxLineChars"/> when <see langword="null"/>); a longer one fails with <see cref="StreamLimitExceededException"/> after the lines before it.</param>
    /// <returns>The lines, without their line ends; the last line is emitted at completion even without one.</returns>
    /// <remarks>A CRLF split across two pieces ends one line, not two.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<string> SplitLines(this IObservable<string> source, SplitLinesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new SplitLinesOperator(source, (options ?? new SplitLinesOptions()).MaxLineLength);
    }

    /// <summary>Emits the text before the first occurrence of <paramref name="sentinel"/>, then completes and unsubscribes upstream at once (closing a network source).</summary>
    /// <param name="source">The text, split anyhow.</param>
    /// <param name="sentinel">The in-band end marker, such as <c>LLM-EOF</c>.</param>
    /// <param name="options">Whether to include the sentinel, and whether its absence is an error (by default it is: the stream was truncated).</param>
    /// <returns>The text before the sentinel.</returns>
    /// <remarks>A sentinel split across any number of pieces is found. Only text that could still be the start of the sentinel is held back, and it is released as soon as it cannot be.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="sentinel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sentinel"/> is empty.</exception>
    public static IObservable<string> TakeUntilSentinel(this IObservable<string> source, string sentinel, SentinelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(sentinel);
        return new TakeUntilTextSentinel(source, sentinel, options ?? new SentinelOptions());
    }

    /// <summary>Emits the bytes before the first occurrence of <paramref name="sentinel"/>, then completes and unsubscribes upstream at once.</summary>
    /// <param name="source">The bytes, split anyhow.</param>
    /// <param name="sentinel">The in-band end marker.</param>
    /// <param name="options">Whether to include the sentinel, and whether its absence is an error (by default it is: the stream was truncated).</param>
    /// <returns>The bytes before the sentinel.</returns>
    /// <remarks>
    /// See <see cref="TakeUntilSentinel(IObservable{string}, string, SentinelOptions?)"/>. Over a message transport (a
    /// WebSocket) the sentinel may span the frames of one message but not two messages, and each chunk emitted keeps its
    /// message's <see cref="Chunk.Kind"/> and ends a message exactly where the input did.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sentinel"/> is empty.</exception>
    public static IObservable<Chunk> TakeUntilSentinel(this IObservable<Chunk> source, ReadOnlyMemory<byte> sentinel, SentinelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (sentinel.IsEmpty)
        {
            throw new ArgumentException("The sentinel cannot be empty.", nameof(sentinel));
        }

        return new TakeUntilByteSentinel(source, sentinel.ToArray(), options ?? new SentinelOptions());
    }

    /// <summary>Emits the items before the first one that <paramref name="isSentinel"/> accepts (an SSE event whose data is <c>[DONE]</c>), then completes and unsubscribes upstream at once.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="isSentinel">Recognizes the end marker; an exception it throws fails the sequence.</param>
    /// <param name="options">Whether to include the sentinel, and whether its absence is an error (by default it is: the stream was truncated).</param>
    /// <returns>The items before the sentinel.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="isSentinel"/> is <see langword="null"/>.</exception>
    public static IObservable<T> TakeUntilSentinel<T>(this IObservable<T> source, Func<T, bool> isSentinel, SentinelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(isSentinel);
        return new TakeUntilPredicateSentinel<T>(source, isSentinel, options ?? new SentinelOptions());
    }
}
