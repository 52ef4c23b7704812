using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Reactive;
using System.Reactive.Linq;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

public sealed class EventSourceTests : IAsyncLifetime
{
    private static readonly ReconnectOptions Brisk = new() { BaseDelay = TimeSpan.FromMilliseconds(10), MinDelay = TimeSpan.FromMilliseconds(10), UseJitter = false };
    private readonly List<string?> _lastEventIds = [];
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;
    private int _connections;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/typed", () => TypedResults.ServerSentEvents(Items()));
            app.MapGet("/resume", async (HttpContext context) =>
            {
                lock (_lastEventIds)
                {
                    _lastEventIds.Add(context.Request.Headers["Last-Event-ID"].FirstOrDefault());
                }

                var connection = Interlocked.Increment(ref _connections);
                context.Response.ContentType = "text/event-stream; charset=utf-8";
                var text = connection switch
                {
                    1 => "retry: 20\nid: é1\ndata: one\n\nid: 2\ndata: torn",
                    2 => "data: two\n\n",
                    _ => null,
                };
                if (text is null)
                {
                    context.Response.StatusCode = 204;
                    return;
                }

                await context.Response.WriteAsync(text);
            });
            app.MapPost("/chat", async (HttpContext context) =>
            {
                var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
                if (context.Request.Headers.Authorization != "Bearer s3cret" || body.GetProperty("prompt").GetString() != "hi")
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new { error = "bad credentials" });
                    return;
                }

                Interlocked.Increment(ref _connections);
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: hello\n\ndata: [DONE]\n\n");
            });
            app.MapGet("/html", () => Results.Content("<html></html>", "text/html"));
            app.MapGet("/fail", async (HttpContext context) =>
            {
                Interlocked.Increment(ref _connections);
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = "boom" });
            });
            app.MapGet("/endless", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/event-stream";
                context.RequestAborted.Register(() => _aborted.TrySetResult());
                var clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(20); i++)
                    {
                        await context.Response.WriteAsync($": heartbeat\n\ndata: {i}\n\n", context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                        await Task.Delay(5, context.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
            app.MapGet("/silent", async (HttpContext context) =>
            {
                Interlocked.Increment(ref _connections);
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(": still here\n\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted).ContinueWith(_ => { });
            });
        });
        _client = new HttpClient(StreamObservable.CreateHttpHandler());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void EventSource_NullArguments_ThrowAtTheCall()
    {
        Assert.Equal("client", Assert.Throws<ArgumentNullException>(() => StreamObservable.EventSource(null!, new Uri("http://127.0.0.1/"))).ParamName);
        Assert.Equal("requestUri", Assert.Throws<ArgumentNullException>(() => StreamObservable.EventSource(_client, null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventSourceOptions { IdleTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentNullException>(() => new EventSourceOptions { Method = null! });
    }

    [Fact]
    public async Task EventSource_AspNetCoreTypedResults_ArrivesWithTypesAndData()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/typed"), new EventSourceOptions { Reconnect = null }).Subscribe(observer);
        var events = await observer.CompletedAsync();

        Assert.Equal(["alpha", "beta", "line one\nline two"], events.Select(e => e.Data));
        Assert.All(events, e => Assert.Equal("token", e.EventType));
    }

    [Fact]
    public async Task EventSource_EndMidEvent_ResumesFromTheLastDispatchedIdInUtf8AndStopsAt204()
    {
        var observer = new AsyncObserver<SseEvent>();
        var statuses = new List<ConnectionStatus>();
        var options = new EventSourceOptions
        {
            Reconnect = Brisk with { Status = System.Reactive.Observer.Create<ConnectionStatus>(s => { lock (statuses) { statuses.Add(s); } }) },
        };

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/resume"), options).Subscribe(observer);
        var events = await observer.CompletedAsync();

        Assert.Equal(["one", "two"], events.Select(e => e.Data));
        Assert.Equal(["é1", "é1"], events.Select(e => e.LastEventId));

        // The torn event's "id: 2" never took effect: the resume asks for what followed é1, sent as UTF-8.
        // Kestrel decodes request headers as UTF-8, so an ID that arrives intact proves it was sent as UTF-8.
        Assert.Equal([null, "é1", "é1"], _lastEventIds);
        Assert.Contains(statuses, s => s is ConnectionStatus.Reconnecting { Delay.TotalMilliseconds: 20 });
        Assert.Contains(statuses, s => s is ConnectionStatus.Open { Details: HttpResponseStart { StatusCode: HttpStatusCode.OK } });
    }

    [Fact]
    public async Task EventSource_PostWithJsonAndAuthorization_IsSentOnceAndNotRepeated()
    {
        var observer = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions
        {
            Method = HttpMethod.Post,
            Content = () => JsonContent.Create(new { prompt = "hi" }),
            Headers = [new("Authorization", "Bearer s3cret")],
            Reconnect = Brisk,
        };

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/chat"), options).Subscribe(observer);
        var events = await observer.CompletedAsync();

        Assert.Equal(["hello", "[DONE]"], events.Select(e => e.Data));
        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task EventSource_WrongCredentials_FailsFinalWithTheBodyButNoHeader()
    {
        var observer = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions
        {
            Method = HttpMethod.Post,
            Content = () => JsonContent.Create(new { prompt = "hi" }),
            Headers = [new("Authorization", "Bearer leaked-if-printed")],
            ResendNonIdempotentRequests = true,
            Reconnect = Brisk,
        };

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/chat"), options).Subscribe(observer);

        var error = await observer.FailedAsync<HttpStatusException>();
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("bad credentials", error.BodyPreview);
        Assert.DoesNotContain("leaked-if-printed", error.ToString());
    }

    [Fact]
    public async Task EventSource_HtmlAnswer_FailsWithUnexpectedContentTypeWithoutRetrying()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/html"), new EventSourceOptions { Reconnect = Brisk }).Subscribe(observer);

        var error = await observer.FailedAsync<UnexpectedContentTypeException>();
        Assert.Equal("text/html", error.Actual);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task EventSource_ServerError_IsRetriedUntilThePolicyGivesUp()
    {
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/fail"), new EventSourceOptions { Reconnect = Brisk with { MaxFailedAttempts = 3 } }).Subscribe(observer);

        var error = await observer.FailedAsync<HttpStatusException>();
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(3, _connections);
    }

    [Fact]
    public async Task EventSource_ParserCallbacks_SeeHeartbeatCommentsAndTheServersRetry()
    {
        var comments = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var retries = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        var observer = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions
        {
            Reconnect = Brisk,
            Parser = new SseParserOptions { OnComment = comments.Enqueue, OnRetry = retries.Enqueue },
        };

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/resume"), options).Subscribe(observer);
        await observer.CompletedAsync();
        using var heartbeats = StreamObservable.EventSource(_client, _server.Url("/endless"), options).Take(2).Subscribe(observer = new AsyncObserver<SseEvent>());
        await observer.CompletedAsync();

        Assert.Equal([TimeSpan.FromMilliseconds(20)], retries);
        Assert.Equal([" heartbeat", " heartbeat"], comments.Take(2));
    }

    [Fact]
    public async Task EventSource_DisposedMidStream_ServerSeesTheAbortWithinOneSecond()
    {
        var observer = new AsyncObserver<SseEvent>();
        var subscription = StreamObservable.EventSource(_client, _server.Url("/endless")).Subscribe(observer);
        await observer.FirstValue.WaitAsync(AsyncObserver<SseEvent>.Patience);

        subscription.Dispose();

        await _aborted.Task.WaitAsync(TimeSpan.FromSeconds(1));
        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EventSource_SilentConnection_IsDroppedAtTheVirtualIdleDeadlineAndReplaced()
    {
        var scheduler = new TestScheduler();
        using var heartbeats = new SemaphoreSlim(0);
        var observer = new AsyncObserver<SseEvent>();
        using var reconnecting = new SemaphoreSlim(0);
        var options = new EventSourceOptions
        {
            IdleTimeout = TimeSpan.FromSeconds(5),
            Scheduler = scheduler,
            Parser = new SseParserOptions { OnComment = _ => heartbeats.Release() },
            Reconnect = Brisk with
            {
                MaxFailedAttempts = 2,
                Status = Observer.Create<ConnectionStatus>(status =>
                {
                    if (status is ConnectionStatus.Reconnecting)
                    {
                        reconnecting.Release();
                    }
                }),
            },
        };

        using var subscription = StreamObservable.EventSource(_client, _server.Url("/silent"), options).Subscribe(observer);

        // Each connection's one heartbeat is its last activity; then only the options' clock moves, and the same clock
        // times the reconnect delay between the two connections.
        for (var connection = 1; connection <= 2; connection++)
        {
            Assert.True(await heartbeats.WaitAsync(AsyncObserver<SseEvent>.Patience));
            scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks - 1);
            Assert.False(observer.IsTerminated);
            scheduler.AdvanceBy(1);
            if (connection == 1)
            {
                Assert.True(await reconnecting.WaitAsync(AsyncObserver<SseEvent>.Patience));
                scheduler.AdvanceBy(Brisk.MinDelay.Ticks);
            }
        }

        var error = await observer.FailedAsync<IdleTimeoutException>();
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.Equal(2, _connections);
        Assert.Empty(observer.Values);
    }

    [Fact]
    public async Task EventSource_ThousandSubscribeDisposeCycles_LeaveNoRequestOpen()
    {
        var random = new Random(42);
        for (var cycle = 0; cycle < 1000; cycle++)
        {
            var observer = new AsyncObserver<SseEvent>();
            var subscription = StreamObservable.EventSource(_client, _server.Url("/endless")).Subscribe(observer);
            if (random.Next(2) == 0)
            {
                await observer.FirstValue.WaitAsync(AsyncObserver<SseEvent>.Patience);
            }

            subscription.Dispose();
        }

        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EventSource_BetweenReads_WaitsWithAZeroByteReadHoldingNoBuffer()
    {
        var body = new ReadRecordingStream("id: 1\ndata: alpha\n\nid: 2\ndata: beta\n\n"u8.ToArray(), bytesPerRead: 7);
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var content = new StreamContent(body);
            content.Headers.ContentType = new("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }));
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, new Uri("http://127.0.0.1/stub"), new EventSourceOptions { Reconnect = null }).Subscribe(observer);
        var events = await observer.CompletedAsync();

        Assert.Equal(["alpha", "beta"], events.Select(e => e.Data));

        // Every read that takes bytes (and the final one that finds the end) follows a zero-byte wait: an idle stream
        // waits without a rented buffer.
        var lengths = body.ReadLengths;
        Assert.True(lengths.Count >= 12, $"{lengths.Count} reads");
        for (var i = 0; i < lengths.Count; i += 2)
        {
            Assert.Equal(0, lengths[i]);
            Assert.True(lengths[i + 1] > 0);
        }
    }

    [Fact]
    public async Task EventSource_OneScheduler_TimesTheReconnectDelaysInVirtualTime()
    {
        // A server that says "retry: 0" and closes, for ever: only the options' one scheduler may let the client back.
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var content = new ByteArrayContent("retry: 0\n\n"u8.ToArray());
            content.Headers.ContentType = new("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }));
        var virtualTime = new TestScheduler();
        var scheduler = new SignallingScheduler(virtualTime);
        var statuses = new AsyncObserver<ConnectionStatus>();
        // No header deadline: its timer would be scheduled on the same clock, and only the reconnect delays are watched here.
        var options = new EventSourceOptions
        {
            Scheduler = scheduler,
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            Reconnect = new ReconnectOptions { UseJitter = false, Status = statuses },
        };

        using var subscription = StreamObservable.EventSource(client, new Uri("http://127.0.0.1/stub"), options).Subscribe(_ => { });
        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await scheduler.Scheduled.WaitAsync(AsyncObserver<int>.Patience);
            var reconnecting = statuses.Values.OfType<ConnectionStatus.Reconnecting>().Last();
            delays.Add(reconnecting.Delay);
            Assert.Equal(attempt, statuses.Values.OfType<ConnectionStatus.Open>().Count());
            scheduler.AdvanceBy(reconnecting.Delay);
        }

        // The floor, then doubling: 4 connections in 7.5 virtual seconds, where the old default timer reconnected at once.
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], delays);
    }

    [Fact]
    public async Task EventSource_WithoutItsOwnPolicyUnderReconnect_TellsThatPolicyItsOpeningAndRetry()
    {
        using var client = new HttpClient(new StubHandler((_, _) =>
        {
            var content = new ByteArrayContent("retry: 3000\ndata: x\n\n"u8.ToArray());
            content.Headers.ContentType = new("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }));
        var scheduler = new SignallingScheduler(new TestScheduler());
        var statuses = new AsyncObserver<ConnectionStatus>();

        using var subscription = StreamObservable.EventSource(client, new Uri("http://127.0.0.1/stub"), new EventSourceOptions { Reconnect = null })
            .Select(e => e.Data)
            .Reconnect(new ReconnectOptions { UseJitter = false, ReconnectOnCompleted = true, Status = statuses }, scheduler)
            .Subscribe(_ => { });
        await scheduler.Scheduled.WaitAsync(AsyncObserver<int>.Patience);

        var open = Assert.IsType<ConnectionStatus.Open>(statuses.Values[1]);
        Assert.Equal(HttpStatusCode.OK, Assert.IsType<HttpResponseStart>(open.Details).StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<ConnectionStatus.Reconnecting>(statuses.Values[2]).Delay);
    }

    private static async IAsyncEnumerable<SseItem<string>> Items()
    {
        foreach (var data in new[] { "alpha", "beta", "line one\nline two" })
        {
            await Task.Yield();
            yield return new SseItem<string>(data, "token");
        }
    }
    /// <summary>Serves fixed bytes a few at a time and records the length of every buffer it was asked to fill.</summary>
    private sealed class ReadRecordingStream(byte[] bytes, int bytesPerRead) : Stream
    {
        private readonly List<int> _lengths = [];
        private int _position;

        public IReadOnlyList<int> ReadLengths
        {
            get
            {
                lock (_lengths)
                {
                    return [.. _lengths];
                }
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            lock (_lengths)
            {
                _lengths.Add(buffer.Length);
            }

            var count = Math.Min(Math.Min(buffer.Length, bytesPerRead), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Serializes a virtual-time scheduler for a test whose work is scheduled from pool threads, and signals each scheduling.</summary>
    private sealed class SignallingScheduler(TestScheduler inner) : System.Reactive.Concurrency.IScheduler
    {
        public SemaphoreSlim Scheduled { get; } = new(0);

        public DateTimeOffset Now
        {
            get
            {
                lock (inner)
                {
                    return inner.Now;
                }
            }
        }

        public void AdvanceBy(TimeSpan time)
        {
            lock (inner)
            {
                inner.AdvanceBy(time.Ticks);
            }
        }

        public IDisposable Schedule<TState>(TState state, Func<System.Reactive.Concurrency.IScheduler, TState, IDisposable> action) => Schedule(state, TimeSpan.Zero, action);

        public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<System.Reactive.Concurrency.IScheduler, TState, IDisposable> action)
        {
            IDisposable work;
            lock (inner)
            {
                work = inner.ScheduleRelative(state, dueTime.Ticks, (_, s) => action(this, s));
            }

            Scheduled.Release();
            return System.Reactive.Disposables.Disposable.Create(() =>
            {
                lock (inner)
                {
                    work.Dispose();
                }
            });
        }

        public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<System.Reactive.Concurrency.IScheduler, TState, IDisposable> action) => Schedule(state, dueTime - Now, action);
    }
}
