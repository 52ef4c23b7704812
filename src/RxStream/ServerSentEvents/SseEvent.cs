using System.Text;

namespace RxStream.ServerSentEvents;

/// <summary>Represents one event dispatched from a Server-Sent Events stream, as a browser's <c>MessageEvent</c> would show it.</summary>
/// <remarks>
/// The data is held once, either as text or as UTF-8 bytes (see <see cref="SseParserOptions.DataFormat"/>); the
/// other form is made on request. An event owns its data: it stays valid after <c>OnNext</c> returns.
/// </remarks>
public readonly struct SseEvent : IEquatable<SseEvent>
{
    /// <summary>The event type of an event whose block had no <c>event</c> field.</summary>
    public const string DefaultEventType = "message";

    // Either a string or a byte[]: whichever the parser was asked to produce, so nobody pays for both.
    private readonly object? _data;
    private readonly string? _eventType;
    private readonly string? _lastEventId;

    /// <summary>Initializes an event with text data.</summary>
    /// <param name="eventType">The event type; <see cref="DefaultEventType"/> when <see langword="null"/>.</param>
    /// <param name="data">The data.</param>
    /// <param name="lastEventId">The last event ID; empty when <see langword="null"/>.</param>
    /// <param name="retry">The reconnection time the event's block set, if any.</param>
    public SseEvent(string? eventType, string data, string? lastEventId = null, TimeSpan? retry = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _eventType = eventType ?? DefaultEventType;
        _data = data;
        _lastEventId = lastEventId ?? string.Empty;
        Retry = retry;
    }

    internal SseEvent(string eventType, byte[] dataUtf8, string lastEventId, TimeSpan? retry)
    {
        _eventType = eventType;
        _data = dataUtf8;
        _lastEventId = lastEventId;
        Retry = retry;
    }

    /// <summary>Gets the event type: the value of the block's <c>event</c> field, or <c>message</c>.</summary>
    public string EventType => _eventType ?? DefaultEventType;

    /// <summary>Gets the data as text: the block's <c>data</c> lines joined with line feeds.</summary>
    /// <remarks>Decoded on each call when the event holds bytes.</remarks>
    public string Data => _data switch
    {
        string text => text,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => string.Empty,
    };

    /// <summary>Gets the data as UTF-8 bytes, for a consumer (a JSON deserializer) that never needs the text.</summary>
    /// <remarks>Encoded on each call when the event holds text.</remarks>
    public ReadOnlyMemory<byte> DataUtf8 => _data switch
    {
        byte[] bytes => bytes,
        string text => Encoding.UTF8.GetBytes(text),
        _ => ReadOnlyMemory<byte>.Empty,
    };

    /// <summary>Gets a value indicating whether the event holds its data as UTF-8 bytes rather than text.</summary>
    public bool HoldsUtf8 => _data is byte[];

    /// <summary>Gets the last event ID, as <c>EventSource</c>'s <c>lastEventId</c>: set by an <c>id</c> field and kept by later events until changed.</summary>
    public string LastEventId => _lastEventId ?? string.Empty;

    /// <summary>Gets the reconnection time the event's block set with a valid <c>retry</c> field, or <see langword="null"/>.</summary>
    public TimeSpan? Retry { get; }

    /// <summary>Determines whether two events have the same type, data, last event ID and retry.</summary>
    /// <param name="left">The first event.</param>
    /// <param name="right">The second event.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(SseEvent left, SseEvent right) => left.Equals(right);

    /// <summary>Determines whether two events differ.</summary>
    /// <param name="left">The first event.</param>
    /// <param name="right">The second event.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(SseEvent left, SseEvent right) => !left.Equals(right);

    /// <summary>Determines whether this event has the same type, data, last event ID and retry as <paramref name="other"/>.</summary>
    /// <param name="other">The event to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Equals(SseEvent other) =>
        EventType == other.EventType && LastEventId == other.LastEventId && Retry == other.Retry && Data == other.Data;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SseEvent other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(EventType, LastEventId, Data);

    /// <summary>Describes the event: its type, ID and the start of its data.</summary>
    /// <returns>For example <c>message #42: {"choices":…</c>.</returns>
    public override string ToString()
    {
        const int Preview = 60;
        var data = Data;
        var shown = data.Length <= Preview ? data : string.Concat(data.AsSpan(0, Preview), "…");
        return LastEventId.Length == 0 ? $"{EventType}: {shown}" : $"{EventType} #{LastEventId}: {shown}";
    }
}
