namespace RxStream.ServerSentEvents;

/// <summary>Receives what <see cref="SseStreamParser"/> finds, in stream order.</summary>
internal interface ISseParserHandler
{
    /// <summary>An event was dispatched.</summary>
    void OnEvent(in SseEvent value);

    /// <summary>A comment line was read; <paramref name="text"/> is the UTF-8 after the colon.</summary>
    void OnComment(ReadOnlySpan<byte> text);

    /// <summary>A valid <c>retry</c> field set the reconnection time.</summary>
    void OnRetry(TimeSpan reconnectionTime);
}
