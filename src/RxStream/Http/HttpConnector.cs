using System.Buffers;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Text;

namespace RxStream.Http;

/// <summary>Sends a streaming request and returns once the response headers are in: the phase every HTTP source shares.</summary>
internal static class HttpConnector
{
    /// <summary>Sends <paramref name="request"/> with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, so the body is streamed, not buffered.</summary>
    /// <returns>The response; a non-success status has already been turned into an <see cref="HttpStatusException"/>.</returns>
    /// <exception cref="ConnectTimeoutException">The headers did not arrive within <paramref name="connectTimeout"/> on <paramref name="scheduler"/>.</exception>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpMessageInvoker client,
        HttpRequestMessage request,
        TimeSpan? connectTimeout,
        int errorBodyPreviewBytes,
        IScheduler scheduler,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timedOut = false;
        using var timer = connectTimeout is { } limit
            ? scheduler.Schedule(limit, () =>
            {
                timedOut = true;
                timeout.Cancel();
            })
            : null;

        HttpResponseMessage response;
        try
        {
            // HttpClient buffers the whole body unless told otherwise; a bare handler (an HttpMessageInvoker)
            // always returns once the headers are in.
            response = client is HttpClient httpClient
                ? await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false)
                : await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timedOut && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectTimeoutException(connectTimeout!.Value);
        }

        // The timer only guards the headers: once they are in, an idle body is someone else's concern.
        timer?.Dispose();

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await CreateStatusErrorAsync(response, errorBodyPreviewBytes, scheduler, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

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
