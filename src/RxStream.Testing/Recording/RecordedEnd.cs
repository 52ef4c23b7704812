namespace RxStream.Testing.Recording;

/// <summary>Describes how a recorded connection ended, and when.</summary>
/// <param name="Offset">When it ended, from the request (or the subscription) that opened the connection.</param>
/// <param name="Kind">Whether it completed, failed or was let go by the client.</param>
/// <param name="CloseStatus">The WebSocket close status the server sent, if any.</param>
/// <param name="CloseDescription">The WebSocket close reason the server sent, if any.</param>
/// <param name="Error">The error's message when the stream failed, else <see langword="null"/>.</param>
public sealed record RecordedEnd(TimeSpan Offset, RecordedEndKind Kind, int? CloseStatus = null, string? CloseDescription = null, string? Error = null);
