using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Diagnostics;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Diagnostics;

[Collection(TelemetryRecorder.Collection)]
public sealed class ConnectionTelemetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    // What /drop sends: two events then a drop, then one event and a normal end, then 204 (stop reconnecting).
    private const string FirstBody = "data: a\n\ndata: b\n\n";
    private const string SecondBody = "data: c\n\n";

    private readonly TaskCompletionSource _secondEventSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;
    private int _connections;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/drop", async (HttpContext context) =>
            {
                var connection = Interlocked.Increment(ref _connections);
                if (connection >= 3)
                {
                    context.Response.StatusCode = 204;
                    return;
                }

                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(connection == 1 ? FirstBody : SecondBody);
                await context.Response.Body.FlushAsync();
                if (connection == 1)
                {
                    // Drop only once the client has both events, so the drop cannot overtake them.
                    await _secondEventSeen.Task.WaitAsync(Limit, context.RequestAborted);
                    context.Abort();
                }
            });
            app.MapGet("/body", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("hello");
            });
            app.MapGet("/missing", (HttpContext context) => context.Response.StatusCode = 404);
        });
        _client = new HttpClient(StreamObservable.CreateHttpHandler());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Names_AreThoseOpenTelemetryIsToldToCollect()
    {
        Assert.Equal("RxStream", RxStreamTelemetry.MeterName);
        Assert.Equal("RxStream", RxStreamTelemetry.ActivitySourceName);
    }

    [Fact]
    public async Task EventSource_OneDropThenEndThen204_ReportsEveryInstrument()
    {
        using var telemetry = new TelemetryRecorder();
        var statuses = new List<ConnectionStatus>();
        var options = new EventSourceOptions
        {
            Reconnect = new ReconnectOptions
            {
                BaseDelay = TimeSpan.FromMilliseconds(10),
                UseJitter = false,
                Status = System.Reactive.Observer.Create<ConnectionStatus>(s =>
                {
                    lock (statuses)
                    {
                        statuses.Add(s);
                    }
                }),
            },
        };

        var events = await StreamObservable.EventSource(_client, _server.Url("/drop"), options)
            .Do(e =>
            {
                if (e.Data == "b")
                {
                    _secondEventSeen.TrySetResult();
                }
            })
            .Select(e => e.Data)
            .ToList()
            .ToTask()
            .WaitAsync(Limit);

        Assert.Equal(["a", "b", "c"], events);
        var drop = Assert.Single(statuses.OfType<ConnectionStatus.Reconnecting>(), s => s.Cause is not null).Cause!;
        var dropType = drop.GetType().FullName;

        // Three attempts: the first failed with the drop's type, the two others did not fail.
        var attempts = telemetry.Of("rxstream.connection.attempts");
        Assert.Equal("{attempt}", attempts[0].Unit);
        Assert.All(attempts, m => Assert.Equal("sse", m.Tag("rxstream.transport")));
        Assert.Equal([1d, 1d, 1d], attempts.Select(m => m.Value));
        Assert.Equal([dropType, null, null], attempts.Select(m => m.Tag("error.type")));

        // Each attempt is active from its start to its end, never two at once.
        var active = telemetry.Of("rxstream.connection.active");
        Assert.Equal([1d, -1d, 1d, -1d, 1d, -1d], active.Select(m => m.Value));
        Assert.All(active, m => Assert.Equal("sse", m.Tag("rxstream.transport")));

        var durations = telemetry.Of("rxstream.connection.duration");
        Assert.Equal("s", durations[0].Unit);
        Assert.Equal(3, durations.Count);
        Assert.All(durations, m => Assert.InRange(m.Value, 0, Limit.TotalSeconds));
        Assert.Equal([dropType, null, null], durations.Select(m => m.Tag("error.type")));

        // Only the two attempts that had a body had a first byte; the 204 had none.
        var firstBytes = telemetry.Of("rxstream.connection.time_to_first_byte");
        Assert.Equal("s", firstBytes[0].Unit);
        Assert.Equal(2, firstBytes.Count);
        Assert.All(firstBytes, m => Assert.InRange(m.Value, 0, Limit.TotalSeconds));

        var bytes = telemetry.Of("rxstream.received.bytes");
        Assert.Equal("By", bytes[0].Unit);
        Assert.Equal(Encoding.UTF8.GetByteCount(FirstBody + SecondBody), bytes.Sum(m => m.Value));
        Assert.All(bytes, m => Assert.Equal("sse", m.Tag("rxstream.transport")));

        var items = telemetry.Of("rxstream.received.items");
        Assert.Equal("{item}", items[0].Unit);
        Assert.Equal(3, items.Sum(m => m.Value));

        // The drop reconnects for an error, the normal end (as EventSource does) for the end; the 204 stops.
        var reconnects = telemetry.Of("rxstream.reconnects");
        Assert.Equal("{reconnect}", reconnects[0].Unit);
        Assert.Equal(["error", "end"], reconnects.Select(m => m.Tag("rxstream.reconnect.reason")));
        Assert.Equal([1d, 1d], reconnects.Select(m => m.Value));

        // One span per attempt, each a child of the subscriber's span.
        var spans = telemetry.StoppedSpans.Where(s => s.Source.Name == RxStreamTelemetry.ActivitySourceName).ToList();
        Assert.Equal(3, spans.Count);
        Assert.All(spans, s => Assert.Equal(telemetry.Root.SpanId, s.ParentSpanId));
        Assert.Equal(["failed", "completed", "completed"], spans.Select(s => s.GetTagItem("rxstream.outcome")));
        Assert.Equal([200, 200, 204], spans.Select(s => s.GetTagItem("http.response.status_code")));

        // The two event streams opened (onopen); the 204 is no event stream and never did.
        Assert.Equal([true, true, false], spans.Select(s => s.Events.Any(e => e.Name == "opened")));
    }

    [Fact]
    public async Task Fetch_OneAttempt_SpanHoldsHttpClientsSpanAndSaysHowItWent()
    {
        using var telemetry = new TelemetryRecorder();

        var chunks = await StreamObservable.Fetch(_client, _server.Url("/body")).ToList().ToTask().WaitAsync(Limit);

        Assert.Equal("hello", string.Concat(chunks.Select(c => c.GetString())));
        var ours = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == RxStreamTelemetry.ActivitySourceName);
        Assert.Equal("rxstream fetch", ours.OperationName);
        Assert.Equal(ActivityKind.Client, ours.Kind);
        Assert.Equal(telemetry.Root.SpanId, ours.ParentSpanId);
        Assert.Equal("fetch", ours.GetTagItem("rxstream.transport"));
        Assert.Equal("127.0.0.1", ours.GetTagItem("server.address"));
        Assert.Equal(_server.BaseAddress.Port, ours.GetTagItem("server.port"));
        Assert.Equal(200, ours.GetTagItem("http.response.status_code"));
        Assert.Equal("completed", ours.GetTagItem("rxstream.outcome"));
        Assert.Null(ours.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, ours.Status);
        Assert.Equal(["opened", "first item"], ours.Events.Select(e => e.Name));
        var bytes = telemetry.Of("rxstream.received.bytes");
        Assert.Equal(5d, bytes.Sum(m => m.Value));
        Assert.All(bytes, m => Assert.Equal("fetch", m.Tag("rxstream.transport")));

        // HttpClient's own span nests inside ours, and ends before ours does.
        var http = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == "System.Net.Http");
        Assert.Equal(ours.SpanId, http.ParentSpanId);
        Assert.True(http.StartTimeUtc >= ours.StartTimeUtc);
        Assert.True(http.StartTimeUtc + http.Duration <= ours.StartTimeUtc + ours.Duration);
    }

    [Fact]
    public async Task Fetch_Status404_SpanFailsWithTheErrorType()
    {
        using var telemetry = new TelemetryRecorder();

        var error = await Assert.ThrowsAsync<HttpStatusException>(() => StreamObservable.Fetch(_client, _server.Url("/missing")).ToTask().WaitAsync(Limit));

        var ours = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == RxStreamTelemetry.ActivitySourceName);
        Assert.Equal("failed", ours.GetTagItem("rxstream.outcome"));
        Assert.Equal(typeof(HttpStatusException).FullName, ours.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, ours.Status);
        Assert.Equal(404, ours.GetTagItem("http.response.status_code"));
        Assert.Equal(error.Message, ours.StatusDescription);
        var attempt = Assert.Single(telemetry.Of("rxstream.connection.attempts"));
        Assert.Equal(typeof(HttpStatusException).FullName, attempt.Tag("error.type"));
        Assert.Equal("fetch", attempt.Tag("rxstream.transport"));
    }

    [Fact]
    public async Task Fetch_DisposedMidBody_EndsAsCancelledNotFailed()
    {
        using var telemetry = new TelemetryRecorder();

        // Take disposes the subscription from inside OnNext, with the body already read.
        await StreamObservable.Fetch(_client, _server.Url("/body")).Take(1).ToTask().WaitAsync(Limit);
        await telemetry.WaitForStoppedSpanAsync(RxStreamTelemetry.ActivitySourceName, Limit);

        var ours = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == RxStreamTelemetry.ActivitySourceName);
        Assert.Equal("cancelled", ours.GetTagItem("rxstream.outcome"));
        Assert.Null(ours.GetTagItem("error.type"));
        var attempt = Assert.Single(telemetry.Of("rxstream.connection.attempts"));
        Assert.Null(attempt.Tag("error.type"));
    }

    [Fact]
    public async Task Fetch_ObserverThrowsACancellationFromOnNext_EndsAsFailedNotCancelled()
    {
        using var telemetry = new TelemetryRecorder();
        using var faults = new ObserverFaultCapture();

        // Nobody disposed the subscription: the observer's own OperationCanceledException failed the attempt, and the
        // span must not pass it off as a disposal.
        using var subscription = StreamObservable.Fetch(_client, _server.Url("/body"))
            .Subscribe(_ => throw new OperationCanceledException("the observer gave up"));
        Assert.IsType<OperationCanceledException>(await faults.Fault.WaitAsync(Limit));
        await telemetry.WaitForStoppedSpanAsync(RxStreamTelemetry.ActivitySourceName, Limit);

        var ours = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == RxStreamTelemetry.ActivitySourceName);
        Assert.Equal("failed", ours.GetTagItem("rxstream.outcome"));
        Assert.Equal(typeof(OperationCanceledException).FullName, ours.GetTagItem("error.type"));
        var attempt = Assert.Single(telemetry.Of("rxstream.connection.attempts"));
        Assert.Equal(typeof(OperationCanceledException).FullName, attempt.Tag("error.type"));
    }

    [Fact]
    public async Task EventSource_DisposedInsideOnNext_CountsOnlyTheItemDelivered()
    {
        using var telemetry = new TelemetryRecorder();
        var body = new System.IO.Pipelines.Pipe();
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StreamContent(body.Reader.AsStream()) { Headers = { ContentType = new("text/event-stream") } },
        })));

        // Take disposes the subscription from inside OnNext: the second event, in the same read, is never emitted.
        var first = StreamObservable.EventSource(client, new Uri("http://127.0.0.1/events"), new EventSourceOptions { Reconnect = null }).Take(1).ToTask();
        await body.Writer.WriteAsync("data: a\n\ndata: b\n\n"u8.ToArray());
        Assert.Equal("a", (await first.WaitAsync(Limit)).Data);
        await telemetry.WaitForStoppedSpanAsync(RxStreamTelemetry.ActivitySourceName, Limit);

        Assert.Equal(1, telemetry.Of("rxstream.received.items").Sum(m => m.Value));
    }

    [Fact]
    public async Task WebSocket_OneMessage_CountsBytesItemsAndOpensWith101()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.Map("/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync("héllo"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
        }));
        using var telemetry = new TelemetryRecorder();
        var url = new UriBuilder(server.Url("/ws")) { Scheme = "ws" }.Uri;

        var messages = await StreamObservable.WebSocket(url).ToList().ToTask().WaitAsync(Limit);

        Assert.Equal("héllo", Assert.Single(messages).GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo"), telemetry.Of("rxstream.received.bytes").Sum(m => m.Value));
        Assert.Equal(1, telemetry.Of("rxstream.received.items").Sum(m => m.Value));
        Assert.All(telemetry.Of("rxstream.received.items"), m => Assert.Equal("websocket", m.Tag("rxstream.transport")));
        var ours = Assert.Single(telemetry.StoppedSpans, s => s.Source.Name == RxStreamTelemetry.ActivitySourceName);
        Assert.Equal("rxstream websocket", ours.OperationName);
        Assert.Equal(101, ours.GetTagItem("http.response.status_code"));
        Assert.Equal("completed", ours.GetTagItem("rxstream.outcome"));
        Assert.Equal(["opened", "first item"], ours.Events.Select(e => e.Name));
    }
}
