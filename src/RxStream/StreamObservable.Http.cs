using System.Text;
using RxStream.Http;
using RxStream.ServerSentEvents;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Creates a cold source that sends a request per subscription and emits the response body as it arrives.</summary>
    /// <param name="client">The client or handler that sends the request; the caller owns it.</param>
    /// <param name="createRequest">Builds a fresh request (method, headers, body) for each subscription, and for each redirect it follows.</param>
    /// <param name="options">Timeouts, buffer size and the open callback; the defaults when <see langword="null"/>.</param>
    /// <returns>The body's bytes, one <see cref="Chunk"/> per read, completing at the end of the body.</returns>
    /// <remarks>
    /// <para>The request is sent with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, so the body streams.
    /// A status outside 2xx fails with <see cref="HttpStatusException"/> (status, reason, content type and the start
    /// of the body, never the request's headers); headers later than <see cref="FetchOptions.ConnectTimeout"/> (60 s by
    /// default) fail with <see cref="ConnectTimeoutException"/>; redirects are followed as
    /// <see cref="FetchOptions.MaxRedirects"/> describes, calling <paramref name="createRequest"/> once per hop; a body the
    /// client did not decompress fails with <see cref="UnsupportedContentEncodingException"/>.</para>
    /// <para>Disposing the subscription at any moment cancels the request: before the headers it cancels the send,
    /// mid-body it aborts the connection. Chunks own their bytes and stay valid after <c>OnNext</c>; they arrive on
    /// a thread-pool thread.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="createRequest"/> is <see langword="null"/>.</exception>
    public static IObservable<Chunk> Fetch(HttpMessageInvoker client, Func<HttpRequestMessage> createRequest, FetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(createRequest);
        return new HttpBodySource(client, _ => ValueTask.FromResult(createRequest()), options ?? new FetchOptions());
    }

    /// <summary>Creates a cold source that builds a request asynchronously per subscription (to fetch a fresh token, say) and emits the response body.</summary>
    /// <param name="client">The client or handler that sends the request; the caller owns it.</param>
    /// <param name="createRequest">Builds a fresh request for each subscription and each redirect; its token is cancelled by disposal.</param>
    /// <param name="options">Timeouts, buffer size and the open callback; the defaults when <see langword="null"/>.</param>
    /// <returns>The body's bytes, one <see cref="Chunk"/> per read, completing at the end of the body.</returns>
    /// <remarks>Behaves as <see cref="Fetch(HttpMessageInvoker, Func{HttpRequestMessage}, FetchOptions?)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="createRequest"/> is <see langword="null"/>.</exception>
    public static IObservable<Chunk> Fetch(HttpMessageInvoker client, Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, FetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(createRequest);
        return new HttpBodySource(client, createRequest, options ?? new FetchOptions());
    }

    /// <summary>Creates a cold source that GETs <paramref name="requestUri"/> per subscription and emits the response body.</summary>
    /// <param name="client">The client or handler that sends the request; the caller owns it.</param>
    /// <param name="requestUri">The address to GET.</param>
    /// <param name="options">Timeouts, buffer size and the open callback; the defaults when <see langword="null"/>.</param>
    /// <returns>The body's bytes, one <see cref="Chunk"/> per read, completing at the end of the body.</returns>
    /// <remarks>Behaves as <see cref="Fetch(HttpMessageInvoker, Func{HttpRequestMessage}, FetchOptions?)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="requestUri"/> is <see langword="null"/>.</exception>
    public static IObservable<Chunk> Fetch(HttpMessageInvoker client, Uri requestUri, FetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        return Fetch(client, () => new HttpRequestMessage(HttpMethod.Get, requestUri), options);
    }

    /// <summary>Creates a cold source that connects to a Server-Sent Events stream as a browser's <c>EventSource</c> does, with the method, body and headers it cannot send.</summary>
    /// <param name="client">The client or handler that sends each request; the caller owns it.</param>
    /// <param name="requestUri">The address of the event stream.</param>
    /// <param name="options">Method, body, headers, timeouts and the reconnect policy; <c>EventSource</c>'s behaviour when <see langword="null"/>.</param>
    /// <returns>The events of the stream, across reconnections.</returns>
    /// <remarks>
    /// <para>Each connection sends <c>Accept: text/event-stream</c>, <c>Cache-Control: no-cache</c> and, once an event
    /// ID is known, <c>Last-Event-ID</c>. A 200 answer of type <c>text/event-stream</c> (parameters ignored) opens the
    /// stream and is reported through <see cref="EventSourceOptions.OnOpen"/> and the policy's status; any other
    /// status fails with <see cref="HttpStatusException"/>, any other type with
    /// <see cref="UnexpectedContentTypeException"/>, and both are final; a 204 completes the sequence without
    /// reconnecting.</para>
    /// <para>By default a GET reconnects after a network error, a transient status, an idle timeout or a normal end of
    /// the body, waiting the server's <c>retry:</c> time when it gave one, and resumes from the last dispatched event.
    /// A POST is only sent again when <see cref="EventSourceOptions.ResendNonIdempotentRequests"/> says so.</para>
    /// <para>Disposing the subscription cancels the pending request or aborts the open connection, and stops any
    /// pending reconnect. Events arrive on a thread-pool thread and stay valid after <c>OnNext</c>.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="requestUri"/> is <see langword="null"/>.</exception>
    public static IObservable<SseEvent> EventSource(HttpMessageInvoker client, Uri requestUri, EventSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(requestUri);
        return EventSourceConnection.Create(client, requestUri, options ?? new EventSourceOptions());
    }

    /// <summary>Creates an HTTP handler suited to long-lived streams: it decodes compressed bodies and leaves redirects to RxStream, as a browser does, sends a non-ASCII <c>Last-Event-ID</c> as UTF-8, and drops an abandoned body at once.</summary>
    /// <returns>A new <see cref="SocketsHttpHandler"/>; the caller owns it (give it to an <see cref="HttpClient"/>).</returns>
    /// <remarks>
    /// <para>It asks for and decodes <c>gzip</c>, <c>deflate</c> and <c>br</c> bodies
    /// (<see cref="SocketsHttpHandler.AutomaticDecompression"/> is <see cref="System.Net.DecompressionMethods.All"/>), as
    /// browsers do; decoding keeps a stream incremental, each block the server flushes arriving as it is sent. A body in
    /// a coding it cannot decode fails with <see cref="UnsupportedContentEncodingException"/>, never as garbled text.</para>
    /// <para>It does not follow redirects itself (<see cref="SocketsHttpHandler.AllowAutoRedirect"/> is
    /// <see langword="false"/>): RxStream's sources follow them (see <see cref="FetchOptions.MaxRedirects"/>), and unlike
    /// the handler, which only drops <c>Authorization</c>, they keep <c>Cookie</c> and <c>Proxy-Authorization</c> from
    /// another origin too. Used outside RxStream, this handler hands 3xx responses to the caller.</para>
    /// <para>.NET's default handler refuses header values that are not ASCII, so an event ID such as <c>é1</c> could not be
    /// resumed from. This handler encodes that one header as UTF-8 and leaves every other header as .NET sends it.</para>
    /// <para>A subscription disposed while no read is pending (from inside <c>OnNext</c>, as <c>TakeUntilSentinel</c>
    /// does) leaves the body unread. The default handler then goes on reading it for up to two seconds to reuse the
    /// connection, which on an endless stream only keeps the server talking to nobody; this handler sets
    /// <see cref="SocketsHttpHandler.ResponseDrainTimeout"/> to zero, so the connection is closed at once.</para>
    /// </remarks>
    public static SocketsHttpHandler CreateHttpHandler() => new()
    {
        // Specification: https://fetch.spec.whatwg.org/#http-network-or-cache-fetch "If httpRequest's header list does
        // not contain `Accept-Encoding`, user agents should append (`Accept-Encoding`, …)": the handler adds it for
        // every coding it decodes.
        AutomaticDecompression = System.Net.DecompressionMethods.All,
        AllowAutoRedirect = false,
        RequestHeaderEncodingSelector = static (name, _) => string.Equals(name, "Last-Event-ID", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8 : null,
        ResponseDrainTimeout = TimeSpan.Zero,
    };
}
