namespace RxStream.Json;

/// <summary>Configures <c>ParseJsonLines</c>: the limit on a line.</summary>
public sealed record JsonLinesOptions
{
    /// <summary>The default longest NDJSON line, in bytes: 16 MiB.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    private readonly int _maxLineLength = DefaultMaxLineBytes;

    /// <summary>Gets the longest line accepted, in bytes, not counting its line feed; <see cref="DefaultMaxLineBytes"/> by default.</summary>
    /// <remarks>A longer line fails the stream with <see cref="StreamLimitExceededException"/> after the items before it.</remarks>
    public int MaxLineLength
    {
        get => _maxLineLength;
        init => _maxLineLength = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }
}
