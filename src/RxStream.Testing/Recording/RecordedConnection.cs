namespace RxStream.Testing.Recording;

/// <summary>Holds what one connection of a recording received: the response's status and headers, every chunk with its time, and how it ended.</summary>
public sealed class RecordedConnection
{
    /// <summary>Initializes a recorded connection.</summary>
    /// <param name="offset">When the connection opened, from the start of the recording.</param>
    /// <param name="status">The HTTP status of the response (101 for a WebSocket), or <see langword="null"/> when unknown.</param>
    /// <param name="reason">The status's reason phrase, if known.</param>
    /// <param name="headers">The response headers, with secrets already redacted.</param>
    /// <param name="chunks">The chunks, in the order they arrived.</param>
    /// <param name="end">How the connection ended, or <see langword="null"/> when the recording stops before its end.</param>
    /// <exception cref="ArgumentNullException"><paramref name="headers"/> or <paramref name="chunks"/> is <see langword="null"/>.</exception>
    public RecordedConnection(TimeSpan offset, int? status, string? reason, IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<RecordedChunk> chunks, RecordedEnd? end)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(chunks);
        Offset = offset;
        Status = status;
        Reason = reason;
        Headers = headers;
        Chunks = chunks;
        End = end;
    }

    /// <summary>Gets when the connection opened, from the start of the recording.</summary>
    public TimeSpan Offset { get; }

    /// <summary>Gets the HTTP status of the response (101 for a WebSocket), or <see langword="null"/> when the recording does not know it.</summary>
    public int? Status { get; }

    /// <summary>Gets the status's reason phrase, if known.</summary>
    public string? Reason { get; }

    /// <summary>Gets the response headers as recorded (secret values redacted).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Gets the chunks in the order they arrived, each with its offset from the connection's start.</summary>
    public IReadOnlyList<RecordedChunk> Chunks { get; }

    /// <summary>Gets how the connection ended, or <see langword="null"/> when the recording stops before its end.</summary>
    public RecordedEnd? End { get; }

    /// <summary>Gets the first value of a response header, or <see langword="null"/>.</summary>
    /// <param name="name">The header's name, in any case.</param>
    /// <returns>The value.</returns>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found ? found.Value : null;

    /// <summary>Returns the bytes of all chunks joined together.</summary>
    /// <returns>The body (or the messages' bytes, back to back).</returns>
    public byte[] Body()
    {
        var body = new byte[Chunks.Sum(c => c.Chunk.Length)];
        var at = 0;
        foreach (var chunk in Chunks)
        {
            chunk.Chunk.Span.CopyTo(body.AsSpan(at));
            at += chunk.Chunk.Length;
        }

        return body;
    }
}
