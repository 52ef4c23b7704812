namespace RxStream.ServerSentEvents;

/// <summary>Says how a parsed event holds its data.</summary>
public enum SseDataFormat
{
    /// <summary>As a string: what most consumers read.</summary>
    Text,

    /// <summary>As UTF-8 bytes, for consumers that deserialize JSON and never need the string.</summary>
    Utf8,
}

/// <summary>Configures the Server-Sent Events parser: its limits, how events hold their data, and where comments go.</summary>
public sealed record SseParserOptions
{
    /// <summary>The default longest line, in bytes: 16 MiB, room for a large JSON payload on one <c>data</c> line.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    /// <summary>The default largest event, in bytes of data: 16 MiB.</summary>
    public const int DefaultMaxEventSize = 16 * 1024 * 1024;

    private readonly int _maxLineLength = DefaultMaxLineBytes;
    private readonly int _maxEventSize = DefaultMaxEventSize;

    /// <summary>Gets the longest line accepted, in bytes, not counting its line ending; <see cref="DefaultMaxLineBytes"/> by default.</summary>
    /// <remarks>A longer line fails the stream with <see cref="StreamLimitExceededException"/>; events already dispatched are kept.</remarks>
    public int MaxLineLength
    {
        get => _maxLineLength;
        init => _maxLineLength = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets the largest event accepted, in bytes of data (its <c>data</c> lines and the line feeds between them).</summary>
    /// <remarks>A larger event fails the stream with <see cref="StreamLimitExceededException"/>; events already dispatched are kept.</remarks>
    public int MaxEventSize
    {
        get => _maxEventSize;
        init => _maxEventSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets how events hold their data; <see cref="SseDataFormat.Text"/> by default.</summary>
    public SseDataFormat DataFormat { get; init; }

    /// <summary>Gets the last event ID the stream starts with, as when resuming a stream seen before; empty by default.</summary>
    public string? InitialLastEventId { get; init; }

    /// <summary>Gets a callback told each comment line's text (after the colon), such as a server's <c>:</c> heartbeat; none by default.</summary>
    /// <remarks>Comments are not events; this is how a consumer sees them as activity. It runs on the parsing thread, before later events.</remarks>
    public Action<string>? OnComment { get; init; }

    /// <summary>Gets a callback told each valid <c>retry</c> value when it is read, even in a block that dispatches no event; none by default.</summary>
    public Action<TimeSpan>? OnRetry { get; init; }
}
