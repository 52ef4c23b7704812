using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reactive.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

public sealed class FetchTests : IAsyncLifetime
{
    private static readonly TimeSpan ServerLimit = TimeSpan.FromSeconds(20);
    private readonly TaskCompletionSource<TimeSpan> _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _slowEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/bytes/{count:int}", async (int count, HttpContext context) =>
            {
                context.Response.ContentType = "application/octet-stream";
                var block = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
                for (var sent = 0; sent < count; sent += block.Length)
                {
                    await context.Response.Body.WriteAsync(block.AsMemory(0, Math.Min(block.Length, count - sent)));
                    await context.Response.Body.FlushAsync();
                }
            });
            app.MapPost("/chat", async (HttpContext context) =>
            {
                if (context.Request.Headers.Authorization != "Bearer s3cret")
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new { error = new { message = "Invalid API key", code = "invalid_api_key" } });
                    return;
                }

                var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
                await context.Response.WriteAsync("You said: " + body.GetProperty("prompt").GetString());
            });
            app.MapGet("/fail", async (HttpContext context) =>
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = "the model is overloaded" });
            });
            app.MapGet("/endless", async (HttpContext context) =>
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                var abort = context.RequestAborted;
                abort.Register(() => _aborted.TrySetResult(started.Elapsed));
                try
                {
                    while (started.Elapsed < ServerLimit && !abort.IsCancellationRequested)
                    {
                        await context.Response.WriteAsync("tick\n", abort);
                        await context.Response.Body.FlushAsync(abort);
                        await Task.Delay(5, abort);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
            app.MapGet("/slow-headers", async (HttpContext context) =>
            {
                _slowEntered.TrySetResult();
                await Task.Delay(ServerLimit, context.RequestAborted).ContinueWith(_ => { });
            });
        });
        _client = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Fetch_NullArguments_ThrowAtTheCall()
    {
        Assert.Equal("client", Assert.Throws<ArgumentNullException>(() => StreamObservable.Fetch(null!, () => new HttpRequestMessage())).ParamName);
        Assert.Equal("createRequest", Assert.Throws<ArgumentNullException>(() => StreamObservable.Fetch(_client, (Func<HttpRequestMessage>)null!)).ParamName);
        Assert.Equal("createRequest", Assert.Throws<ArgumentNullException>(() => StreamObservable.Fetch(_client, (Func<CancellationToken, ValueTask<HttpRequestMessage>>)null!)).ParamName);
        Assert.Equal("requestUri", Assert.Throws<ArgumentNullException>(() => StreamObservable.Fetch(_client, (Uri)null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FetchOptions { BufferSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FetchOptions { ConnectTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FetchOptions { ErrorBodyPreviewBytes = -1 });
    }

    [Fact]
    public async Task Fetch_LargeBody_ChunksConcatenateToTheBodyAndEachHoldsExactlyOneRead()
    {
        var observer = new AsyncObserver<Chunk>();
        HttpResponseStart? opened = null;

        using var subscription = StreamObservable
            .Fetch(_client, _server.Url("/bytes/1000000"), new FetchOptions { BufferSize = 4096, OnOpen = start => opened = start })
            .Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(1_000_000, chunks.Sum(chunk => chunk.Length));
        Assert.All(chunks, chunk => Assert.InRange(chunk.Length, 1, 4096));
        Assert.Equal(Enumerable.Range(0, 1_000_000).Select(i => (byte)(i % 1000)), chunks.SelectMany(chunk => chunk.Data.ToArray()));
        Assert.Equal(HttpStatusCode.OK, opened!.StatusCode);
        Assert.Equal("application/octet-stream", opened.MediaType);
    }

    [Fact]
    public async Task Fetch_PostWithJsonAndAuthorization_ServerChecksBothAndStreamsTheAnswer()
    {
        var observer = new AsyncObserver<Chunk>();
        var built = 0;

        using var subscription = StreamObservable.Fetch(_client, () =>
        {
            built++;
            var request = new HttpRequestMessage(HttpMethod.Post, _server.Url("/chat")) { Content = JsonContent.Create(new { prompt = "héllo" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
            return request;
        }).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal("You said: héllo", Encoding.UTF8.GetString(chunks.SelectMany(chunk => chunk.Data.ToArray()).ToArray()));
        Assert.Equal(1, built);
    }

    [Fact]
    public async Task Fetch_Unauthorized_FailsWithTheStatusAndTheJsonBodyButNoHeaderValue()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, _server.Url("/chat")) { Content = JsonContent.Create(new { prompt = "hi" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key-do-not-print");
            return request;
        }).Subscribe(observer);

        var error = await observer.FailedAsync<HttpStatusException>();
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("application/json", error.ContentType);
        Assert.Contains("Invalid API key", error.BodyPreview);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("wrong-key-do-not-print", error.ToString());
        Assert.Empty(observer.Values);
    }

    [Fact]
    public async Task Fetch_ServerError_FailsTransientWithTheBodyPreview()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_client, _server.Url("/fail")).Subscribe(observer);

        var error = await observer.FailedAsync<HttpStatusException>();
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Contains("the model is overloaded", error.BodyPreview);
        Assert.Contains("500", error.Message);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Fetch_DisposedMidBody_ServerSeesTheAbortWithinOneSecond()
    {
        var observer = new AsyncObserver<Chunk>();

        var subscription = StreamObservable.Fetch(_client, _server.Url("/endless")).Subscribe(observer);
        await observer.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience);
        var disposedAt = System.Diagnostics.Stopwatch.StartNew();
        subscription.Dispose();

        await _aborted.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.True(disposedAt.Elapsed < TimeSpan.FromSeconds(1));
        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(5));
        Assert.False(observer.IsTerminated);
    }

    [Fact]
    public async Task Fetch_DisposedBeforeTheHeaders_CancelsTheRequest()
    {
        var observer = new AsyncObserver<Chunk>();
        var subscription = StreamObservable.Fetch(_client, _server.Url("/slow-headers")).Subscribe(observer);
        await _slowEntered.Task.WaitAsync(AsyncObserver<Chunk>.Patience);

        subscription.Dispose();

        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(5));
        Assert.False(observer.IsTerminated);
    }

    [Fact]
    public async Task Fetch_ThousandSubscribeDisposeCyclesAtRandomMoments_LeaveNoRequestOpenOnTheServer()
    {
        var random = new Random(20261124);
        var chunksSeen = 0;
        for (var cycle = 0; cycle < 1000; cycle++)
        {
            var observer = new AsyncObserver<Chunk> { OnNextHook = _ => Interlocked.Increment(ref chunksSeen) };
            var subscription = StreamObservable.Fetch(_client, _server.Url("/endless")).Subscribe(observer);
            switch (random.Next(3))
            {
                case 0:
                    break; // before (or while) the request goes out
                case 1:
                    await Task.Yield(); // somewhere around the headers
                    break;
                default:
                    await observer.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience); // mid-body
                    break;
            }

            subscription.Dispose();
        }

        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _server.OpenRequests);
        Assert.True(chunksSeen > 0);
    }

    [Fact]
    public async Task Fetch_ConnectTimeout_FailsTypedAtTheVirtualDeadlineWhenTheHeadersAreLate()
    {
        var scheduler = new TestScheduler();
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable
            .Fetch(_client, _server.Url("/slow-headers"), new FetchOptions { ConnectTimeout = TimeSpan.FromSeconds(3), Scheduler = scheduler })
            .Subscribe(observer);

        // The server holds the request: only the options' clock decides when the wait ends.
        await _slowEntered.Task.WaitAsync(AsyncObserver<Chunk>.Patience);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(3).Ticks - 1);
        Assert.False(observer.IsTerminated);
        scheduler.AdvanceBy(1);

        var error = await observer.FailedAsync<ConnectTimeoutException>();
        Assert.Equal(TimeSpan.FromSeconds(3), error.Timeout);
        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Fetch_DefaultOptions_GiveTheHeadersSixtySeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), FetchOptions.DefaultConnectTimeout);
        Assert.Equal(FetchOptions.DefaultConnectTimeout, new FetchOptions().ConnectTimeout);
        Assert.Equal(20, new FetchOptions().MaxRedirects);
        var scheduler = new TestScheduler();
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable
            .Fetch(_client, _server.Url("/slow-headers"), new FetchOptions { Scheduler = scheduler })
            .Subscribe(observer);

        await _slowEntered.Task.WaitAsync(AsyncObserver<Chunk>.Patience);
        scheduler.AdvanceBy(FetchOptions.DefaultConnectTimeout.Ticks - 1);
        Assert.False(observer.IsTerminated);
        scheduler.AdvanceBy(1);

        var error = await observer.FailedAsync<ConnectTimeoutException>();
        Assert.Equal(FetchOptions.DefaultConnectTimeout, error.Timeout);
    }

    [Fact]
    public void FetchOptions_Timeouts_InfiniteTurnsTheDeadlineOffAndOthersAreRefused()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new FetchOptions { ConnectTimeout = Timeout.InfiniteTimeSpan }.ConnectTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FetchOptions { ConnectTimeout = TimeSpan.FromSeconds(-2) });
        Assert.Equal(0, new FetchOptions { MaxRedirects = 0 }.MaxRedirects);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new FetchOptions { MaxRedirects = -1 }).ParamName);
    }

    [Fact]
    public async Task Fetch_UnderReconnect_ReportsEachOpeningWithTheResponseStart()
    {
        var statuses = new AsyncObserver<RxStream.Resilience.ConnectionStatus>();
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_client, _server.Url("/bytes/3000"))
            .Reconnect(new RxStream.Resilience.ReconnectOptions { Status = statuses })
            .Subscribe(observer);
        await observer.CompletedAsync();

        var open = Assert.IsType<RxStream.Resilience.ConnectionStatus.Open>(statuses.Values[1]);
        var start = Assert.IsType<HttpResponseStart>(open.Details);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal(3000, observer.Values.Sum(c => c.Length));
    }

    [Fact]
    public async Task Fetch_UnderOperatorsThenReconnect_StillReportsItsOpening()
    {
        var statuses = new AsyncObserver<RxStream.Resilience.ConnectionStatus>();
        var observer = new AsyncObserver<Chunk>();

        // Reconnect learns of the opening from the attempt the source was subscribed for, not from the source's type.
        using var subscription = StreamObservable.Fetch(_client, _server.Url("/bytes/3000"))
            .Where(chunk => chunk.Length > 0)
            .Select(chunk => chunk)
            .Reconnect(new RxStream.Resilience.ReconnectOptions { Status = statuses })
            .Subscribe(observer);
        await observer.CompletedAsync();

        var open = Assert.IsType<RxStream.Resilience.ConnectionStatus.Open>(statuses.Values[1]);
        Assert.Equal(HttpStatusCode.OK, Assert.IsType<HttpResponseStart>(open.Details).StatusCode);
        Assert.Equal(3000, observer.Values.Sum(c => c.Length));
    }

    [Fact]
    public async Task Fetch_RedirectToAnotherOrigin_DoesNotForwardTheAuthorizationHeader()
    {
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var other = await LoopbackServer.StartAsync(app => app.MapGet("/landing", (HttpContext context) =>
        {
            seen.TrySetResult(context.Request.Headers.Authorization.FirstOrDefault());
            return "landed";
        }));
        await using var redirector = await LoopbackServer.StartAsync(app => app.MapGet("/go", () => Results.Redirect(other.Url("/landing").ToString())));
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(_client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, redirector.Url("/go"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
            return request;
        }).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal("landed", Encoding.UTF8.GetString(chunks.SelectMany(chunk => chunk.Data.ToArray()).ToArray()));
        Assert.Null(await seen.Task.WaitAsync(AsyncObserver<Chunk>.Patience));
    }
}
