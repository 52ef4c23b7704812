using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Text;
using RxStream.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

public class HttpConnectorTests
{
    [Fact]
    public async Task SendAsync_HeadersLate_FailsWithConnectTimeoutAtTheVirtualDeadline()
    {
        var scheduler = new TestScheduler();
        using var client = new HttpClient(StubHandler.Hanging());
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/never");

        var send = HttpConnector.SendAsync(client, request, TimeSpan.FromSeconds(5), 4096, scheduler, CancellationToken.None);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks - 1);
        Assert.False(send.IsCompleted);
        scheduler.AdvanceBy(1);

        var error = await Assert.ThrowsAsync<ConnectTimeoutException>(() => send);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_IsCancellationNotTimeout()
    {
        var scheduler = new TestScheduler();
        using var client = new HttpClient(StubHandler.Hanging());
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/never");
        using var cancel = new CancellationTokenSource();

        var send = HttpConnector.SendAsync(client, request, TimeSpan.FromSeconds(5), 4096, scheduler, cancel.Token);
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
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/chat");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => HttpConnector.SendAsync(client, request, null, 4096, Scheduler.Immediate, CancellationToken.None));

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
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => HttpConnector.SendAsync(client, request, null, 10, Scheduler.Immediate, CancellationToken.None));

        // The limit falls between the two bytes of "é": the torn character is dropped, not replaced.
        Assert.Equal(new string('a', 9), error.BodyPreview);
    }

    [Fact]
    public async Task SendAsync_PreviewDisabled_ReadsNoBody()
    {
        using var client = Answering(HttpStatusCode.InternalServerError, "details", "text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => HttpConnector.SendAsync(client, request, null, 0, Scheduler.Immediate, CancellationToken.None));

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
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => HttpConnector.SendAsync(client, request, null, 4096, Scheduler.Immediate, CancellationToken.None));

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
    public async Task SendAsync_Success_ReturnsTheResponseWithItsBodyUnread()
    {
        using var client = Answering(HttpStatusCode.OK, "streamed", "text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        using var response = await HttpConnector.SendAsync(client, request, TimeSpan.FromSeconds(1), 4096, Scheduler.Immediate, CancellationToken.None);

        Assert.Equal("streamed", await response.Content.ReadAsStringAsync());
    }

    private static HttpClient Answering(HttpStatusCode status, string body, string mediaType) =>
        new(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) })));
}
