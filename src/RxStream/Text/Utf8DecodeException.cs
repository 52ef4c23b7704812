namespace RxStream.Text;

/// <summary>Reports bytes that are not valid UTF-8, in fatal decoding mode.</summary>
/// <remarks>The text before the bad sequence has been delivered. Final: the same bytes would fail again.</remarks>
public sealed class Utf8DecodeException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="byteOffset">The offset of the first byte of the invalid or truncated sequence, from the start of the stream.</param>
    public Utf8DecodeException(long byteOffset)
        : base($"The stream is not valid UTF-8: an invalid or truncated sequence starts at byte {byteOffset}.")
    {
        ByteOffset = byteOffset;
    }

    /// <summary>Gets the offset of the first byte of the invalid or truncated sequence, from the start of the stream (a BOM counts).</summary>
    public long ByteOffset { get; }
}
