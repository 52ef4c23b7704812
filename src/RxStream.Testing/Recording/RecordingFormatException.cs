namespace RxStream.Testing.Recording;

/// <summary>Reports a recording that cannot be read: not the rxstream-recording format, a version this library does not know, or a malformed line.</summary>
public sealed class RecordingFormatException : FormatException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="line">The 1-based line the problem is on.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="inner">The parser's own error, if any.</param>
    public RecordingFormatException(int line, string reason, Exception? inner = null)
        : base($"Not a readable rxstream recording: line {line}: {reason}", inner)
    {
        Line = line;
    }

    /// <summary>Gets the 1-based line the problem is on.</summary>
    public int Line { get; }
}
