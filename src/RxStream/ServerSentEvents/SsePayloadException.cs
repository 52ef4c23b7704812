namespace RxStream.ServerSentEvents;

/// <summary>Reports a payload that could not be deserialized: which event (or line) it was and how it starts.</summary>
/// <remarks>The <see cref="Exception.InnerException"/> is the deserializer's own error. Final: the same payload would fail again.</remarks>
public sealed class SsePayloadException : RxStreamException
{
    /// <summary>How many characters of the payload the message shows.</summary>
    public const int PreviewLength = 200;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="source">Where the payload came from, for example <c>event #42</c> or <c>line 7</c>.</param>
    /// <param name="payload">The payload, of which the start is kept.</param>
    /// <param name="innerException">The deserializer's error.</param>
    public SsePayloadException(string source, string payload, Exception? innerException)
        : base(Describe(source, payload, innerException), innerException)
    {
        Source = source;
        PayloadPreview = payload.Length <= PreviewLength ? payload : payload[..PreviewLength];
    }

    /// <summary>Gets where the payload came from, for example <c>event #42</c> or <c>line 7</c>.</summary>
    public new string Source { get; }

    /// <summary>Gets the start of the payload, at most <see cref="PreviewLength"/> characters.</summary>
    public string PayloadPreview { get; }

    private static string Describe(string source, string payload, Exception? inner)
    {
        var preview = payload.Length <= PreviewLength ? payload : string.Concat(payload.AsSpan(0, PreviewLength), "…");
        return $"The payload of {source} is not valid JSON for the expected type ({inner?.Message}). It starts: {preview}";
    }
}
