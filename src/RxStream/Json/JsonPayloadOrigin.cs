namespace RxStream.Json;

/// <summary>Says what kind of item held a JSON payload that failed to deserialize.</summary>
public enum JsonPayloadOrigin
{
    /// <summary>A Server-Sent Event's data.</summary>
    ServerSentEvent,

    /// <summary>One line of a newline-delimited JSON (NDJSON) byte stream.</summary>
    Line,

    /// <summary>One whole message, such as a WebSocket message.</summary>
    Message,
}
