namespace RxStream.Text;

/// <summary>Configures <see cref="StreamObservable.SplitLines(IObservable{string}, SplitLinesOptions?)"/>: the limit on a line.</summary>
public sealed record SplitLinesOptions
{
    /// <summary>The default longest line, in chars (UTF-16 code units): 1 Mi.</summary>
    public const int DefaultMaxLineChars = 1024 * 1024;

    private readonly int _maxLineLength = DefaultMaxLineChars;

    /// <summary>Gets the longest line accepted, in chars, not counting its line end; <see cref="DefaultMaxLineChars"/> by default.</summary>
    /// <remarks>A longer line fails the stream with <see cref="StreamLimitExceededException"/> after the lines before it.</remarks>
    public int MaxLineLength
    {
        get => _maxLineLength;
        init => _maxLineLength = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }
}
