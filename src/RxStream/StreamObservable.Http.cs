using RxStream.Http;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Creates a cold source that sends a request per subscription and emits the response body as it arrives.</summary>
    /// <param name="client">The client or handler that sends the request; the caller owns it.</param>
    /// <param name="createRequest">Builds a fresh request (method, headers, body) for each subscription.</param>
    /// <param name="options">Timeouts, buffer size and the open callback; the defaults when <see langword="null"/>.</param>
    /// <returns>The body's bytes, one <see cref="Chunk"/> per read, completing at the end of the body.</returns>
    /// <remarks>
    /// <para>The request is sent with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, so the body streams.
    /// A status outside 2xx fails with <see cref="HttpStatusException"/> (status, reason, content type and the start
    /// of the body, never the request's headers); a slow answer fails with <see cref="ConnectTimeoutException"/>
    /// when <see cref="FetchOptions.ConnectTimeout"/> is set.</para>
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
    /// <param name="createRequest">Builds a fresh request for each subscription; its token is cancelled by disposal.</param>
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
}
