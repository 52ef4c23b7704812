namespace RxStream.Chat.Web.Backend;

/// <summary>How the page's server side reads the answer: the three ways front ends stream an LLM answer, and an OpenAI-compatible API.</summary>
public enum ChatTransport
{
    /// <summary>Server-Sent Events (GET, reconnect with Last-Event-ID), ending at a <c>[DONE]</c> event.</summary>
    Sse,

    /// <summary>A POSTed JSON prompt whose streamed plain-text body ends with <c>LLM-EOF</c>.</summary>
    Fetch,

    /// <summary>A WebSocket: the prompt goes as a message, the answer comes one message per token, ending with <c>[DONE]</c>.</summary>
    WebSocket,

    /// <summary>An OpenAI-compatible chat completions endpoint, streamed (SSE over POST), when one is configured.</summary>
    OpenAi,
}
