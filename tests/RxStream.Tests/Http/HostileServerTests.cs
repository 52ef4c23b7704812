using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.Http;

// Items 6–8 of issue 13 against a real server that misbehaves: compressed bodies, redirects across origins, silence.
public sealed class HostileServerTests : IAsyncLifetime
{
    private static readonly KeyValuePair<string, string>[] Credentials =
    [
        new("Cookie", "session=secret"),
        new("Proxy-Authorization", "Basic c2VjcmV0"),
    ];

    private static readonly TimeSpan Patience = AsyncObserver<Chunk>.Patience;

    private HostileServer _server = null!;
    private HostileServer _other = null!;
    private HttpClient _streaming = null!;
    private HttpClient _plain = null!;

    public async Task InitializeAsync()
    {
        _server = await HostileServer.StartAsync();
        _other = await HostileServer.StartAsync();
        _streaming = new HttpClient(StreamObservable.CreateHttpHandler());

        // A client that neither decompresses nor follows redirects: what a user's own handler may be.
        _plain = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false });
    }

    public async Task DisposeAsync()
    {
        _streaming.Dispose();
        _plain.Dispose();
        await _server.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task EventSource_GzipStreamFlushedPerEvent_EachEventArrivesBeforeTheBodyEnds()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_streaming, _server.Url("/gzip-events"), new EventSourceOptions { Reconnect = null }).Subscribe(observer);

        // The server holds its second event until released: the first came through the decompressor on its own.
        await observer.FirstValue.WaitAsync(AsyncObserver<SseEvent>.Patience);
        Assert.False(_server.StreamEnded.IsCompleted);
        _server.Release();

        var events = await observer.CompletedAsync();
        Assert.Equal(["one", "two"], events.Select(e => e.Data));
        Assert.True(await _server.StreamEnded);
        Assert.All(["gzip", "deflate", "br"], coding => Assert.Contains(coding, _server.Seen[0].AcceptEncoding, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventSource_CorruptGzipAfterAnEvent_DeliversTheEventThenFailsAsAnInvalidResponse()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_streaming, _server.Url("/corrupt-gzip"), new EventSourceOptions { Reconnect = null }).Subscribe(observer);
        await observer.FirstValue.WaitAsync(Patience);
        _server.Release();

        var error = await observer.FailedAsync<HttpIOException>();
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Contains("could not be decompressed", error.Message, StringComparison.Ordinal);
        Assert.Equal(["one"], observer.Values.Select(e => e.Data));
        Assert.True(ReconnectOptions.IsTransient(error));
    }

    [Fact]
    public async Task Fetch_CorruptGzip_FailsAsAnInvalidResponseAfterWhatItDecoded()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_streaming, _server.Url("/corrupt-gzip?type=text/plain")).Subscribe(observer);
        await observer.FirstValue.WaitAsync(Patience);
        _server.Release();

        var error = await observer.FailedAsync<HttpIOException>();
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        Assert.Equal("data: one\n\n", Encoding.UTF8.GetString(observer.Values.SelectMany(c => c.Data.ToArray()).ToArray()));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Fetch_CompressedBody_IsDecodedByTheStreamingHandler(string coding)
    {
        var text = await StreamObservable.Fetch(_streaming, _server.Url($"/encoded/{coding}?type=text/plain")).DecodeUtf8().ToList().ToTask().WaitAsync(Patience);

        Assert.Equal("data: hello\n\ndata: [DONE]\n\n", string.Concat(text));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public async Task EventSource_CompressedBodyAndAClientThatDoesNotDecode_FailsFinalNamingTheEncoding(string coding)
    {
        var observer = new AsyncObserver<SseEvent>();

        // The default policy reconnects after every transient error and after a normal end: a silent loss used to
        // loop here for ever with zero events.
        using var subscription = StreamObservable.EventSource(_plain, _server.Url($"/encoded/{coding}")).Subscribe(observer);

        var error = await observer.FailedAsync<UnsupportedContentEncodingException>();
        Assert.Equal([coding], error.ContentEncodings);
        Assert.Empty(observer.Values);
        Assert.Single(_server.Seen);
    }

    [Fact]
    public async Task Fetch_CompressedBodyAndAClientThatDoesNotDecode_FailsNamingTheEncoding()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_plain, _server.Url("/encoded/gzip?type=text/plain")).Subscribe(observer);

        var error = await observer.FailedAsync<UnsupportedContentEncodingException>();
        Assert.Contains("'gzip'", error.Message, StringComparison.Ordinal);
        Assert.Empty(observer.Values);
    }

    [Fact]
    public async Task EventSource_CodingNoHandlerDecodes_FailsEvenWithTheStreamingHandler()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_streaming, _server.Url("/encoded/zstd")).Subscribe(observer);

        var error = await observer.FailedAsync<UnsupportedContentEncodingException>();
        Assert.Equal(["zstd"], error.ContentEncodings);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task EventSource_RedirectToAnotherOrigin_SendsNoCredentialsThere(int status)
    {
        var target = _other.Url("/echo");
        var options = new EventSourceOptions
        {
            Reconnect = null,
            Headers = Credentials,
            ConfigureRequest = (request, _) =>
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");
                return ValueTask.CompletedTask;
            },
        };

        var events = await StreamObservable.EventSource(_streaming, _server.Url($"/redirect/{status}?to={Uri.EscapeDataString(target.ToString())}"), options).ToList().ToTask().WaitAsync(Patience);

        Assert.Equal(["GET auth=0 cookie=0 proxy=0"], events.Select(e => e.Data));
        Assert.True(_server.Seen.Single().HasCredentials);
        Assert.False(_other.Seen.Single().HasCredentials);
    }

    [Theory]
    [InlineData(301, "GET")]
    [InlineData(302, "GET")]
    [InlineData(307, "POST")]
    [InlineData(308, "POST")]
    public async Task Fetch_PostRedirectedToAnotherOrigin_SendsNoCredentialsThere(int status, string method)
    {
        var target = _other.Url("/echo");
        var url = _server.Url($"/redirect/{status}?to={Uri.EscapeDataString(target.ToString())}");

        var text = await StreamObservable.Fetch(_streaming, () => WithCredentials(HttpMethod.Post, url)).DecodeUtf8().ToList().ToTask().WaitAsync(Patience);

        Assert.Equal($"data: {method} auth=0 cookie=0 proxy=0\n\n", string.Concat(text));
        Assert.True(_server.Seen.Single().HasCredentials);
        Assert.False(_other.Seen.Single().HasCredentials);
    }

    [Fact]
    public async Task Fetch_RedirectWithinTheOrigin_KeepsTheCredentials()
    {
        var url = _server.Url($"/redirect/307?to={Uri.EscapeDataString("/echo")}");

        var text = await StreamObservable.Fetch(_streaming, () => WithCredentials(HttpMethod.Post, url)).DecodeUtf8().ToList().ToTask().WaitAsync(Patience);

        Assert.Equal("data: POST auth=1 cookie=1 proxy=1\n\n", string.Concat(text));
        Assert.All(_server.Seen, seen => Assert.True(seen.HasCredentials));
    }

    [Fact]
    public async Task EventSource_RedirectLoop_FailsFinalWithRedirectException()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_streaming, _server.Url("/loop")).Subscribe(observer);

        var error = await observer.FailedAsync<RedirectException>();
        Assert.Equal(FetchOptions.DefaultMaxRedirects, error.RedirectsFollowed);
        Assert.Equal(FetchOptions.DefaultMaxRedirects + 1, _server.Seen.Count);
    }

    [Fact]
    public async Task EventSource_RedirectsRefused_FailsWithTheRedirectStatusAndNeverReachesTheTarget()
    {
        var observer = new AsyncObserver<SseEvent>();
        var url = _server.Url($"/redirect/302?to={Uri.EscapeDataString(_other.Url("/echo").ToString())}");

        using var subscription = StreamObservable.EventSource(_streaming, url, new EventSourceOptions { MaxRedirects = 0 }).Subscribe(observer);

        var error = await observer.FailedAsync<HttpStatusException>();
        Assert.Equal(HttpStatusCode.Found, error.StatusCode);
        Assert.Empty(_other.Seen);
    }

    [Fact]
    public async Task EventSource_SilentServer_FailsAtTheDefaultDeadlineOnTheOptionsClock()
    {
        var scheduler = new TestScheduler();
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable
            .EventSource(_streaming, _server.Url("/silent"), new EventSourceOptions { Reconnect = null, Scheduler = scheduler })
            .Subscribe(observer);

        await _server.SilentEntered.WaitAsync(AsyncObserver<SseEvent>.Patience);
        scheduler.AdvanceBy(FetchOptions.DefaultConnectTimeout.Ticks - 1);
        Assert.False(observer.IsTerminated);
        scheduler.AdvanceBy(1);

        var error = await observer.FailedAsync<ConnectTimeoutException>();
        Assert.Equal(FetchOptions.DefaultConnectTimeout, error.Timeout);
        await _server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task WebSocket_SilentServer_FailsAtTheConnectDeadlineOnTheOptionsClock()
    {
        var scheduler = new TestScheduler();
        var observer = new AsyncObserver<Chunk>();
        Assert.Equal(FetchOptions.DefaultConnectTimeout, new WebSocketConnectOptions().ConnectTimeout);
        var url = new UriBuilder(_server.Url("/silent")) { Scheme = "ws" }.Uri;

        using var subscription = StreamObservable
            .WebSocket(url, new WebSocketConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(10), Scheduler = scheduler })
            .Subscribe(observer);

        await _server.SilentEntered.WaitAsync(AsyncObserver<Chunk>.Patience);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(10).Ticks - 1);
        Assert.False(observer.IsTerminated);
        scheduler.AdvanceBy(1);

        var error = await observer.FailedAsync<ConnectTimeoutException>();
        Assert.Equal(TimeSpan.FromSeconds(10), error.Timeout);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task WebSocketConnectOptions_ConnectTimeout_InfiniteTurnsItOffAndZeroIsRefused()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new WebSocketConnectOptions { ConnectTimeout = Timeout.InfiniteTimeSpan }.ConnectTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketConnectOptions { ConnectTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventSourceOptions { ConnectTimeout = TimeSpan.Zero });
        Assert.Equal(FetchOptions.DefaultConnectTimeout, new EventSourceOptions().ConnectTimeout);
        Assert.Equal(FetchOptions.DefaultMaxRedirects, new EventSourceOptions().MaxRedirects);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Fetch_ServerClosesMidFrame_DeliversWhatArrivedThenFailsTransient()
    {
        var received = new StringBuilder();
        var observer = new AsyncObserver<Chunk>
        {
            OnNextHook = chunk =>
            {
                if (received.Append(Encoding.UTF8.GetString(chunk.Data.Span)).ToString().EndsWith("hal", StringComparison.Ordinal))
                {
                    _server.Release();
                }
            },
        };

        using var subscription = StreamObservable.Fetch(_streaming, _server.Url("/mid-frame")).Subscribe(observer);

        var error = await observer.Terminal.WaitAsync(AsyncObserver<Chunk>.Patience);
        Assert.NotNull(error);
        Assert.True(ReconnectOptions.IsTransient(error));
        Assert.Equal("data: whole\n\ndata: hal", string.Concat(observer.Values.Select(c => Encoding.UTF8.GetString(c.Data.Span))));
    }

    private static HttpRequestMessage WithCredentials(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent("{\"prompt\":\"hi\"}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");
        foreach (var (name, value) in Credentials)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
