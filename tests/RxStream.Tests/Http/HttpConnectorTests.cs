using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RxStream.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

public class HttpConnectorTests
{
    private static readonly Uri Origin = new("http://127.0.0.1:5000/start");

    [Fact]
    public async Task SendAsync_HeadersLate_FailsWithConnectTimeoutAtTheVirtualDeadline()
    {
        var scheduler = new TestScheduler();
        using var client = new HttpClient(StubHandler.Hanging());

        var send = Send(client, Get("http://127.0.0.1/never"), scheduler, TimeSpan.FromSeconds(5));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks - 1);
        Assert.False(send.IsCompleted);
        scheduler.AdvanceBy(1);

        var error = await Assert.ThrowsAsync<ConnectTimeoutException>(() => send);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task SendAsync_InfiniteConnectTimeout_SchedulesNoDeadline()
    {
        var scheduler = new ManualTimerScheduler();
        using var client = Answering(HttpStatusCode.OK, "streamed", "text/plain");

        using var response = await Send(client, Get("http://127.0.0.1/"), scheduler, Timeout.InfiniteTimeSpan);

        Assert.Empty(scheduler.DueTimes);
    }

    [Fact]
    public async Task SendAsync_TimerActionStartedBeforeTheHeadersArrivedRunsAfter_DoesNotThrow()
    {
        // The timer was already running on a scheduler thread when the headers arrived and the deadline was
        // disposed: it must not cancel the disposed token source (ObjectDisposedException, which ended the process).
        var scheduler = new ManualTimerScheduler();
        using var client = Answering(HttpStatusCode.OK, "streamed", "text/plain");

        using var response = await Send(client, Get("http://127.0.0.1/"), scheduler, TimeSpan.FromSeconds(5));
        Assert.Equal(1, scheduler.Disposals);

        Assert.Null(Record.Exception(() => scheduler.Run(0)));
        Assert.Equal("streamed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SendAsync_CallerCancels_IsCancellationNotTimeout()
    {
        var scheduler = new TestScheduler();
        using var client = new HttpClient(StubHandler.Hanging());
        using var cancel = new CancellationTokenSource();

        var send = Send(client, Get("http://127.0.0.1/never"), scheduler, TimeSpan.FromSeconds(5), cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Theory]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    public async Task SendAsync_ErrorStatus_FailsWithTypedErrorCarryingTheBodyAndTransience(int status, bool transient)
    {
        using var client = Answering((HttpStatusCode)status, """{"error":"explained here"}""", "application/json");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => Send(client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/chat");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");
            return request;
        }));

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal("application/json", error.ContentType);
        Assert.Equal("""{"error":"explained here"}""", error.BodyPreview);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains("explained here", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_LongErrorBody_PreviewStopsAtTheLimitWithoutATornCharacter()
    {
        var body = new string('a', 9) + "é" + new string('b', 100);
        using var client = Answering(HttpStatusCode.BadRequest, body, "text/plain");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => Send(client, Get("http://127.0.0.1/"), previewBytes: 10));

        // The limit falls between the two bytes of "é": the torn character is dropped, not replaced.
        Assert.Equal(new string('a', 9), error.BodyPreview);
    }

    [Fact]
    public async Task SendAsync_PreviewDisabled_ReadsNoBody()
    {
        using var client = Answering(HttpStatusCode.InternalServerError, "details", "text/plain");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => Send(client, Get("http://127.0.0.1/"), previewBytes: 0));

        Assert.Equal(string.Empty, error.BodyPreview);
        Assert.EndsWith("(text/plain).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_RetryAfterSeconds_IsCarried()
    {
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("slow down") };
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return Task.FromResult(response);
        }));

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => Send(client, Get("http://127.0.0.1/")));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public void RetryAfter_Date_IsMeasuredFromTheSchedulersNow()
    {
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(30), HttpConnector.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(30)), now));
        Assert.Equal(TimeSpan.Zero, HttpConnector.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(-30)), now));
        Assert.Null(HttpConnector.RetryAfter(null, now));
    }

    [Fact]
    public async Task SendAsync_Success_ReturnsTheResponseWithItsBodyUnreadAndTheRequestThatWasAnswered()
    {
        var scheduler = new TestScheduler();
        using var client = Answering(HttpStatusCode.OK, "streamed", "text/plain");

        using var response = await Send(client, Get("http://127.0.0.1/"), scheduler, TimeSpan.FromSeconds(1));

        Assert.Equal("streamed", await response.Content.ReadAsStringAsync());
        Assert.Equal(new Uri("http://127.0.0.1/"), response.RequestMessage!.RequestUri);

        // The deadline was disposed with the headers: running the clock past it changes nothing.
        scheduler.AdvanceBy(TimeSpan.FromSeconds(2).Ticks);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public async Task SendAsync_BodyStillEncoded_FailsFinalNamingTheEncoding(string encoding)
    {
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00]);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            content.Headers.ContentEncoding.Add(encoding);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }));

        var error = await Assert.ThrowsAsync<UnsupportedContentEncodingException>(() => Send(client, Get("http://127.0.0.1/")));

        Assert.Equal([encoding], error.ContentEncodings);
        Assert.Contains($"'{encoding}'", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.False(RxStream.Resilience.ReconnectOptions.IsTransient(error));
    }

    [Fact]
    public async Task SendAsync_IdentityEncoding_IsPlainText()
    {
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var content = new StringContent("plain");
            content.Headers.ContentEncoding.Add("identity");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }));

        using var response = await Send(client, Get("http://127.0.0.1/"));

        Assert.Equal("plain", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(301, "POST", "GET", false)]
    [InlineData(302, "POST", "GET", false)]
    [InlineData(303, "POST", "GET", false)]
    [InlineData(303, "PUT", "GET", false)]
    [InlineData(303, "HEAD", "HEAD", false)]
    [InlineData(307, "POST", "POST", true)]
    [InlineData(308, "POST", "POST", true)]
    [InlineData(301, "PUT", "PUT", true)]
    [InlineData(302, "DELETE", "DELETE", true)]
    public async Task SendAsync_Redirect_RewritesTheMethodAsRfc9110Says(int status, string method, string expectedMethod, bool keepsBody)
    {
        var hops = new List<(string Method, string? Body)>();
        using var client = new HttpClient(new StubHandler(async (request, _) =>
        {
            hops.Add((request.Method.Method, request.Content is null ? null : await request.Content.ReadAsStringAsync()));
            return request.RequestUri!.AbsolutePath == "/start" ? Redirect(status, "/next") : Ok();
        }));
        var built = 0;

        using var response = await Send(client, () =>
        {
            built++;
            var body = method is "POST" or "PUT" or "DELETE" ? new StringContent("{\"prompt\":\"hi\"}") : null;
            return new HttpRequestMessage(new HttpMethod(method), Origin) { Content = body };
        });

        Assert.Equal(2, built);
        Assert.Equal(new Uri("http://127.0.0.1:5000/next"), response.RequestMessage!.RequestUri);
        Assert.Equal(expectedMethod, hops[1].Method);
        Assert.Equal(keepsBody ? "{\"prompt\":\"hi\"}" : null, hops[1].Body);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task SendAsync_RedirectToAnotherOrigin_DropsAuthorizationCookieAndProxyAuthorization(int status)
    {
        var seen = new List<HttpRequestMessage>();
        using var client = new HttpClient(new StubHandler((request, _) =>
        {
            seen.Add(request);
            return Task.FromResult(request.RequestUri!.Port == 5000 ? Redirect(status, "http://127.0.0.1:5001/elsewhere") : Ok());
        }));

        using var response = await Send(client, WithCredentials);

        Assert.Equal(2, seen.Count);
        AssertCredentials(seen[0], present: true);
        AssertCredentials(seen[1], present: false);
        Assert.Equal("keep", seen[1].Headers.GetValues("X-Other").Single());
    }

    [Theory]
    [InlineData("https://127.0.0.1:5000/next")]
    [InlineData("http://localhost:5000/next")]
    public async Task SendAsync_RedirectChangingSchemeOrHost_IsAnotherOrigin(string location)
    {
        var seen = new List<HttpRequestMessage>();
        using var client = new HttpClient(new StubHandler((request, _) =>
        {
            seen.Add(request);
            return Task.FromResult(seen.Count == 1 ? Redirect(302, location) : Ok());
        }));

        using var response = await Send(client, WithCredentials);

        AssertCredentials(seen[1], present: false);
    }

    [Fact]
    public async Task SendAsync_RedirectWithinTheOrigin_KeepsTheCredentials()
    {
        var seen = new List<HttpRequestMessage>();
        using var client = new HttpClient(new StubHandler((request, _) =>
        {
            seen.Add(request);
            return Task.FromResult(seen.Count == 1 ? Redirect(307, "/same-origin") : Ok());
        }));

        using var response = await Send(client, WithCredentials);

        Assert.Equal("/same-origin", seen[1].RequestUri!.AbsolutePath);
        AssertCredentials(seen[1], present: true);
    }

    [Fact]
    public async Task SendAsync_RedirectLoop_FailsWithRedirectExceptionAfterTheLimit()
    {
        var requests = 0;
        using var client = new HttpClient(new StubHandler((request, _) =>
        {
            requests++;
            return Task.FromResult(Redirect(302, request.RequestUri!.AbsolutePath == "/a" ? "/b" : "/a"));
        }));

        var error = await Assert.ThrowsAsync<RedirectException>(() => Send(client, Get("http://127.0.0.1/a"), maxRedirects: 3));

        Assert.Equal(4, requests);
        Assert.Equal(3, error.RedirectsFollowed);
        Assert.Equal(HttpStatusCode.Found, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Contains("more than 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_RedirectFromHttpsToHttp_IsRefused()
    {
        var requests = 0;
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            requests++;
            return Task.FromResult(Redirect(301, "http://127.0.0.1/plain"));
        }));

        var error = await Assert.ThrowsAsync<RedirectException>(() => Send(client, Get("https://127.0.0.1/secure")));

        Assert.Equal(1, requests);
        Assert.Equal(new Uri("http://127.0.0.1/plain"), error.Location);
        Assert.Contains("https to http", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_RedirectsRefused_FailsWithTheStatusOfTheRedirect()
    {
        var requests = 0;
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            requests++;
            return Task.FromResult(Redirect(302, "/next"));
        }));

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => Send(client, Get("http://127.0.0.1/start"), maxRedirects: 0));

        Assert.Equal(1, requests);
        Assert.Equal(HttpStatusCode.Found, error.StatusCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task SendAsync_RedirectsShareOneDeadline_TimesOutOnTheLateHop()
    {
        var scheduler = new TestScheduler();
        var requests = 0;
        using var client = new HttpClient(new StubHandler(async (_, token) =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                return Redirect(302, "/late");
            }

            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        }));

        var send = Send(client, Get("http://127.0.0.1/start"), scheduler, TimeSpan.FromSeconds(5));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);

        await Assert.ThrowsAsync<ConnectTimeoutException>(() => send);
        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task SendAsync_FactoryReturnsNull_FailsClearly()
    {
        using var client = Answering(HttpStatusCode.OK, "x", "text/plain");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Send(client, () => null!));

        Assert.Contains("returned null", error.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage WithCredentials()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Origin);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");
        request.Headers.TryAddWithoutValidation("Cookie", "session=secret");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic c2VjcmV0");
        request.Headers.TryAddWithoutValidation("X-Other", "keep");
        return request;
    }

    private static void AssertCredentials(HttpRequestMessage request, bool present)
    {
        foreach (var name in new[] { "Authorization", "Cookie", "Proxy-Authorization" })
        {
            Assert.Equal(present, request.Headers.Contains(name));
        }
    }

    private static Func<HttpRequestMessage> Get(string url) => () => new HttpRequestMessage(HttpMethod.Get, url);

    private static Task<HttpResponseMessage> Send(
        HttpMessageInvoker client,
        Func<HttpRequestMessage> createRequest,
        System.Reactive.Concurrency.IScheduler? scheduler = null,
        TimeSpan? connectTimeout = null,
        int maxRedirects = FetchOptions.DefaultMaxRedirects,
        int previewBytes = FetchOptions.DefaultErrorBodyPreviewBytes,
        CancellationToken cancellationToken = default) =>
        HttpConnector.SendAsync(
            client,
            _ => ValueTask.FromResult(createRequest()),
            connectTimeout ?? Timeout.InfiniteTimeSpan,
            maxRedirects,
            previewBytes,
            scheduler ?? new TestScheduler(),
            cancellationToken);

    private static HttpResponseMessage Redirect(int status, string location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(string.Empty) };
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }

    private static HttpResponseMessage Ok() => new(HttpStatusCode.OK) { Content = new StringContent("done") };

    private static HttpClient Answering(HttpStatusCode status, string body, string mediaType) =>
        new(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) })));
}
