namespace RxStream;

/// <summary>Says what a <see cref="Chunk"/> carries: a slice of a byte stream, or (part of) a text or binary message.</summary>
public enum ChunkKind
{
    /// <summary>Bytes of a stream without message framing, such as an HTTP response body or a file; chunk boundaries mean nothing.</summary>
    Stream = 0,

    /// <summary>A text message of a message transport (a WebSocket text frame or message), UTF-8 encoded.</summary>
    Text = 1,

    /// <summary>A binary message of a message transport (a WebSocket binary frame or message).</summary>
    Binary = 2,
}
