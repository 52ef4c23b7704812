namespace RxStream.Json;

/// <summary>Reports a JSON payload that could not be deserialized: where it came from and how it starts.</summary>
/// <remarks>
/// Thrown for a Server-Sent Event's data, an NDJSON line or a whole message (a WebSocket's, say); <see cref="Origin"/>
/// and <see cref="Location"/> say which. The <see cref="Exception.InnerException"/> is the deserializer's own error.
/// Final: the same payload would fail again.
/// </remarks>
public sealed class JsonPayloadException : RxStreamException
{
    /// <summary>How many characters of the payload the message shows.</summary>
    public const int PreviewLength = 200;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="origin">What kind of item held the payload.</param>
    /// <param name="location">Which item it was, for example <c>event #42</c>, <c>line 7</c> or <c>message 3</c>.</param>
    /// <param name="payload">The payload, of which the start is kept.</param>
    /// <param name="innerException">The deserializer's error.</param>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> or <paramref name="payload"/> is <see langword="null"/>.</exception>
    public JsonPayloadException(JsonPayloadOrigin origin, string location, string payload, Exception? innerException)
        : base(Describe(location, payload, innerException), innerException)
    {
        Origin = origin;
        Location = location;
        PayloadPreview = payload.Length <= PreviewLength ? payload : payload[..PreviewLength];
    }

    /// <summary>Gets what kind of item held the payload.</summary>
    public JsonPayloadOrigin Origin { get; }

    /// <summary>Gets which item held the payload, for example <c>event #42</c>, <c>line 7</c> or <c>message 3</c>.</summary>
    public string Location { get; }

    /// <summary>Gets the start of the payload, at most <see cref="PreviewLength"/> characters.</summary>
    public string PayloadPreview { get; }

    private static string Describe(string location, string payload, Exception? inner)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(payload);
        var preview = payload.Length <= PreviewLength ? payload : string.Concat(payload.AsSpan(0, PreviewLength), "…");
        return $"The payload of {location} is not valid JSON for the expected type ({inner?.Message}). It starts: {preview}";
    }
}
