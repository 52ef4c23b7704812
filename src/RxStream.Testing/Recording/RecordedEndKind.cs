namespace RxStream.Testing.Recording;

/// <summary>Says how a recorded connection ended.</summary>
public enum RecordedEndKind
{
    /// <summary>The server ended the stream normally (the body ended, or a WebSocket closed with 1000 or 1001).</summary>
    Completed = 0,

    /// <summary>The stream failed: a dropped connection, an error status, a WebSocket close with another status.</summary>
    Failed = 1,

    /// <summary>The client let go first (it had what it wanted, or was interrupted).</summary>
    Disposed = 2,
}
