namespace RxStream.Testing.Recording;

/// <summary>Holds one chunk of a recording and when it arrived, counted from the start of its connection.</summary>
/// <param name="Offset">When the chunk arrived, from the request (or the subscription) that opened its connection.</param>
/// <param name="Chunk">The bytes, their kind and whether they end a message, exactly as received.</param>
public readonly record struct RecordedChunk(TimeSpan Offset, Chunk Chunk);
