using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Text;

namespace RxStream.Http;

/// <summary>Sends a streaming request, follows its redirects and returns once the final response headers are in: the phase every HTTP source shares.</summary>
internal static class HttpConnector
{
    // Specification: https://curl.se/docs/CVE-2018-1000007.html and https://curl.se/docs/CVE-2022-27776.html
    // "curl would send the same Authorization, Cookie and Proxy-Authorization headers to the new host" was the bug:
    // credentials given for one origin never follow a redirect to another one.
    private static readonly string[] CredentialHeaders = ["Authorization", "Cookie", "Proxy-Authorization"];

    /// <summary>Sends the request <paramref name="createRequest"/> builds with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, so the body is streamed, not buffered, following redirects itself.</summary>
    /// <param name="client">The client; a handler that follows redirects on its own hides them from this method.</param>
    /// <param name="createRequest">Builds the request; called again for each redirect, so a body kept by a 307 or 308 is a fresh one.</param>
    /// <param name="connectTimeout">The longest wait for the final response headers, redirects included; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="maxRedirects">How many redirects to follow; 0 follows none.</param>
    /// <param name="errorBodyPreviewBytes">How much of an error body to keep.</param>
    /// <param name="scheduler">Times the connect timeout and dates a <c>Retry-After</c>.</param>
    /// <param name="cancellationToken">Cancels the whole exchange.</param>
    /// <returns>The response, whose <see cref="HttpResponseMessage.RequestMessage"/> is the request that was answered (the caller disposes both); a non-success status has already been turned into an <see cref="HttpStatusException"/>.</returns>
    /// <exception cref="ConnectTimeoutException">The headers did not arrive within <paramref name="connectTimeout"/> on <paramref name="scheduler"/>.</exception>
    /// <exception cref="RedirectException">More than <paramref name="maxRedirects"/> redirects, or one from https to http.</exception>
    /// <exception cref="UnsupportedContentEncodingException">The body is still compressed: the client does not decode it.</exception>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpMessageInvoker client,
        Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest,
        TimeSpan connectTimeout,
        int maxRedirects,
        int errorBodyPreviewBytes,
        IScheduler scheduler,
        CancellationToken cancellationToken)
    {
        var request = await CreateAsync(createRequest, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            using (var deadline = new ConnectDeadline(scheduler, connectTimeout, cancellationToken))
            {
                try
                {
                    (request, response) = await FollowRedirectsAsync(client, request, createRequest, maxRedirects, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.HasFired && !cancellationToken.IsCancellationRequested)
                {
                    throw new ConnectTimeoutException(connectTimeout);
                }
            }

            // The request that was answered travels with its response, so the caller disposes it once the body is done.
            response.RequestMessage = request;
        }
        catch
        {
            request.Dispose();
            throw;
        }

        try
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await CreateStatusErrorAsync(response, errorBodyPreviewBytes, scheduler, cancellationToken).ConfigureAwait(false);
            }

            // Specification: https://www.rfc-editor.org/rfc/rfc9110#section-8.4 "If one or more encodings have been
            // applied to a representation, the sender that applied the encodings MUST generate a Content-Encoding
            // header field." A handler that decodes the body removes the header; one that does not leaves it, and the
            // body is not text.
            var encodings = response.Content.Headers.ContentEncoding.Where(static e => !string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase)).ToArray();
            if (encodings.Length > 0)
            {
                throw new UnsupportedContentEncodingException(encodings);
            }

            return response;
        }
        catch
        {
            response.Dispose();
            request.Dispose();
            throw;
        }
    }

    /// <summary>Describes a response body that the handler could not decompress (corrupt gzip, deflate or br).</summary>
    /// <param name="corrupt">What the decompressing stream threw.</param>
    /// <returns>An <see cref="HttpIOException"/> for an invalid response: transient, as a browser's EventSource treats
    /// a decoding failure as a network error and reconnects.</returns>
    public static HttpIOException UndecodableBody(InvalidDataException corrupt) =>
        new(HttpRequestError.InvalidResponse, $"The response body could not be decompressed (its Content-Encoding does not match its bytes): {corrupt.Message}", corrupt);

    private static async ValueTask<HttpRequestMessage> CreateAsync(Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, CancellationToken cancellationToken) =>
        await createRequest(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("The request factory returned null.");

    // Specification: https://www.rfc-editor.org/rfc/rfc9110#section-15.4 (redirection) and
    // https://fetch.spec.whatwg.org/#http-redirect-fetch (the limit of 20, the method rewrite, the origin checks).
    private static async Task<(HttpRequestMessage Request, HttpResponseMessage Response)> FollowRedirectsAsync(
        HttpMessageInvoker client,
        HttpRequestMessage request,
        Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest,
        int maxRedirects,
        CancellationToken cancellationToken)
    {
        Uri? origin = null;
        HttpMethod? method = null;
        for (var followed = 0; ; followed++)
        {
            HttpResponseMessage response;
            try
            {
                // HttpClient buffers the whole body unless told otherwise; a bare handler (an HttpMessageInvoker)
                // always returns once the headers are in.
                response = client is HttpClient httpClient
                    ? await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false)
                    : await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (followed > 0)
                {
                    request.Dispose();
                }

                throw;
            }

            // HttpClient has made a relative address absolute by now; the first one is the origin credentials belong to.
            var current = request.RequestUri!;
            origin ??= current;
            if (maxRedirects == 0 || Redirect(response, current) is not { } location)
            {
                return (request, response);
            }

            var status = response.StatusCode;
            response.Dispose();
            request.Dispose();
            if (followed == maxRedirects)
            {
                throw new RedirectException($"The server redirected more than {maxRedirects} times (MaxRedirects); a redirect loop, or a limit to raise.", status, location, followed);
            }

            if (location.Scheme is not ("http" or "https"))
            {
                throw new RedirectException($"The server redirected to a '{location.Scheme}' address, which is not HTTP.", status, location, followed);
            }

            // Refused as HttpClient does: a redirect must not undo the protection the caller chose by asking for https.
            if (current.Scheme == Uri.UriSchemeHttps && location.Scheme == Uri.UriSchemeHttp)
            {
                throw new RedirectException("The server redirected from https to http; RxStream does not follow a redirect that drops TLS.", status, location, followed);
            }

            request = await CreateAsync(createRequest, cancellationToken).ConfigureAwait(false);
            method = RedirectMethod(status, method ?? request.Method);
            Retarget(request, location, method, sameOrigin: IsSameOrigin(origin, location));
        }
    }

    // "If locationURL is failure" or there is no Location, the 3xx is the answer; 300 and 304 are not redirects to follow.
    private static Uri? Redirect(HttpResponseMessage response, Uri current) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(current, location)
            : null;

    // RFC 9110 15.4.2/15.4.3: "for historical reasons, a user agent MAY change the request method from POST to GET for
    // the subsequent request" (301, 302), as every browser does; 15.4.4: 303 means "perform a GET" (HEAD stays HEAD);
    // 15.4.8/15.4.9: 307 and 308 do "not allow changing the request method".
    private static HttpMethod RedirectMethod(HttpStatusCode status, HttpMethod method) => (int)status switch
    {
        301 or 302 when method == HttpMethod.Post => HttpMethod.Get,
        303 when method != HttpMethod.Get && method != HttpMethod.Head => HttpMethod.Get,
        _ => method,
    };

    private static void Retarget(HttpRequestMessage request, Uri location, HttpMethod method, bool sameOrigin)
    {
        request.RequestUri = location;
        if (method != request.Method)
        {
            // Fetch: "set request's body to null" and remove its request-body headers, which live on the content.
            request.Method = method;
            request.Content?.Dispose();
            request.Content = null;
        }

        if (!sameOrigin)
        {
            foreach (var name in CredentialHeaders)
            {
                request.Headers.Remove(name);
            }
        }
    }

    // Specification: https://www.rfc-editor.org/rfc/rfc6454#section-5 "two origins are the same if … scheme, host and port are identical".
    private static bool IsSameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>Builds the error for a non-success response, reading at most <paramref name="previewBytes"/> of its body.</summary>
    public static async Task<HttpStatusException> CreateStatusErrorAsync(HttpResponseMessage response, int previewBytes, IScheduler scheduler, CancellationToken cancellationToken)
    {
        var preview = string.Empty;
        if (previewBytes > 0)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(previewBytes);
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var filled = 0;
                int read;
                while (filled < previewBytes && (read = await stream.ReadAsync(buffer.AsMemory(filled, previewBytes - filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                preview = DecodePreview(buffer.AsSpan(0, filled), complete: filled < previewBytes);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The status is what matters; a body that breaks off while we read the preview is left out.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return new HttpStatusException(
            response.StatusCode,
            response.ReasonPhrase,
            response.Content.Headers.ContentType?.MediaType,
            preview,
            RetryAfter(response.Headers.RetryAfter, scheduler.Now));
    }

    /// <summary>Turns a <c>Retry-After</c> header (a delay or a date) into a delay from <paramref name="now"/>; a date in the past means no wait.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    // The preview is cut at a byte count, which may fall inside a multi-byte character: drop that torn tail rather
    // than show a replacement character the server never sent.
    private static string DecodePreview(ReadOnlySpan<byte> bytes, bool complete)
    {
        if (!complete)
        {
            var cut = bytes.Length;
            for (var back = 1; back <= 3 && back <= bytes.Length; back++)
            {
                var b = bytes[^back];
                if ((b & 0xC0) != 0x80)
                {
                    var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                    if (needed > back)
                    {
                        cut = bytes.Length - back;
                    }

                    break;
                }
            }

            bytes = bytes[..cut];
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
