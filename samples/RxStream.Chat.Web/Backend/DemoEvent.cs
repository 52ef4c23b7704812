namespace RxStream.Chat.Web.Backend;

/// <summary>Names what happened to one request of the demo server.</summary>
public enum DemoEventKind
{
    /// <summary>A request arrived and the answer started (or resumed).</summary>
    Connected,

    /// <summary>The server dropped the connection on purpose, mid-answer, to show a reconnect.</summary>
    Dropped,

    /// <summary>The server sent the whole answer and its sentinel.</summary>
    Finished,

    /// <summary>The client went away before the answer was over: it stopped, refreshed or navigated away.</summary>
    ClientLeft,
}

/// <summary>Records one thing that happened to a request of the demo server, so that a test (or a log) sees the server's side.</summary>
/// <param name="Transport">The endpoint: "sse", "fetch" or "websocket".</param>
/// <param name="Conversation">The conversation the request belongs to.</param>
/// <param name="Kind">What happened.</param>
/// <param name="TokensSent">How many tokens of the answer the request had sent by then.</param>
/// <param name="At">When it happened, on the server's <see cref="TimeProvider"/>.</param>
public sealed record DemoEvent(string Transport, string Conversation, DemoEventKind Kind, int TokensSent, DateTimeOffset At);
