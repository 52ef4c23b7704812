namespace RxStream.Ui;

/// <summary>Names the stage a streamed answer is at, for a UI to enable its buttons and pick a style.</summary>
public enum AnswerPhase
{
    /// <summary>A connection is being made; nothing has arrived yet.</summary>
    Connecting,

    /// <summary>The connection is open (its response headers, or its WebSocket handshake, are in).</summary>
    Open,

    /// <summary>Pieces of the answer are arriving.</summary>
    Receiving,

    /// <summary>The connection dropped and another attempt is scheduled.</summary>
    Reconnecting,

    /// <summary>The answer ended normally (a sentinel or the end of the stream); final.</summary>
    Completed,

    /// <summary>The answer ended with an error, kept in <see cref="AnswerFrame.Error"/>; final.</summary>
    Failed,

    /// <summary>The user stopped the answer, which disposed its subscription and so closed the connection; final.</summary>
    Stopped,
}
