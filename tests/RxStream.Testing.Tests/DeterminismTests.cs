using System.Net.WebSockets;
using System.Reactive.Concurrency;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.WebSockets;

namespace RxStream.Testing.Tests;

/// <summary>
/// Advancing the clock runs everything that happens at those times before it returns: requests, reconnects, timeouts
/// and the observer's calls, with no wait in the test. Each case runs many times on a thread whose
/// SynchronizationContext posts to the thread pool (as xunit's and a UI's do), where a task's continuations are not
/// run inline unless the kit sees to it.
/// </summary>
public sealed class DeterminismTests
{
    private const int Runs = 100;
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly Uri Address = new("https://chat.test/answer");

    [Fact]
    public void EventSource_DropThenReconnect_HappensWithinAdvanceBy() => OnPostingContext(() =>
    {
        for (var run = 0; run < Runs; run++)
        {
            var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
            using var server = new ScriptedHttpHandler(scheduler)
                .Enqueue(HttpResponseScript.Ok().Send(100 * Ms, "retry: 2000\nid: 1\ndata: a\n\n").Drop(400 * Ms))
                .Enqueue(request => HttpResponseScript.Ok().Send(50 * Ms, $"data: after {request.LastEventId}\n\n").HoldOpen());
            using var client = new HttpClient(server);
            var seen = new List<(long, string)>();
            var options = new EventSourceOptions { Scheduler = scheduler, Reconnect = new ReconnectOptions { UseJitter = false } };

            using var subscription = StreamObservable.EventSource(client, Address, options)
                .Subscribe(e => seen.Add((scheduler.Now.ToUnixTimeMilliseconds(), e.Data)));

            Assert.Single(server.Requests); // sent while subscribing
            scheduler.AdvanceBy(2399 * Ms);
            Assert.Single(server.Requests); // the drop at 0.4 s waits its 2 s
            scheduler.AdvanceBy(Ms);
            Assert.Equal(2, server.Requests.Count);
            Assert.Equal(2400 * Ms, server.Requests[1].ArrivedAt - DateTimeOffset.UnixEpoch);
            scheduler.AdvanceBy(50 * Ms);

            Assert.Equal([(100L, "a"), (2450L, "after 1")], seen);
        }
    });

    [Fact]
    public void EventSource_ConnectAndIdleTimeouts_FailAtTheirVirtualTimes() => OnPostingContext(() =>
    {
        for (var run = 0; run < Runs; run++)
        {
            var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
            using var server = new ScriptedHttpHandler(scheduler)
                .Enqueue(HttpResponseScript.Ok().HeadersAt(TimeSpan.FromSeconds(30)).HoldOpen())
                .Enqueue(HttpResponseScript.Ok().Send(Ms, "data: a\n\n").HoldOpen());
            using var client = new HttpClient(server);
            var errors = new List<(long, Type)>();
            var options = new EventSourceOptions { Scheduler = scheduler, ConnectTimeout = TimeSpan.FromSeconds(5), IdleTimeout = TimeSpan.FromSeconds(10), Reconnect = null };

            using (StreamObservable.EventSource(client, Address, options).Subscribe(_ => { }, e => errors.Add((scheduler.Now.ToUnixTimeMilliseconds(), e.GetType()))))
            {
                scheduler.AdvanceBy(TimeSpan.FromSeconds(5));
                Assert.Equal([(5000L, typeof(ConnectTimeoutException))], errors);
            }

            using (StreamObservable.EventSource(client, Address, options).Subscribe(_ => { }, e => errors.Add((scheduler.Now.ToUnixTimeMilliseconds(), e.GetType()))))
            {
                scheduler.AdvanceBy(TimeSpan.FromSeconds(10) + Ms);
                Assert.Equal([(5000L, typeof(ConnectTimeoutException)), (15_001L, typeof(IdleTimeoutException))], errors);
            }
        }
    });

    [Fact]
    public void WebSocket_GoingAwayThenReconnect_HappensWithinAdvanceBy() => OnPostingContext(() =>
    {
        for (var run = 0; run < Runs; run++)
        {
            var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
            using var server = new ScriptedWebSocketHandler(scheduler)
                .Enqueue(WebSocketScript.Accept().SendText(10 * Ms, "one").Close(20 * Ms, WebSocketCloseStatus.EndpointUnavailable, "restart"))
                .Enqueue(WebSocketScript.Accept().SendText(10 * Ms, "two"));
            using var invoker = new HttpMessageInvoker(server);
            var seen = new List<(long, string)>();
            var socket = StreamObservable.WebSocket(new Uri("ws://chat.test/socket"), new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler });

            using var subscription = socket.Reconnect(new ReconnectOptions { UseJitter = false, BaseDelay = TimeSpan.FromSeconds(1) }, scheduler)
                .Subscribe(c => seen.Add((scheduler.Now.ToUnixTimeMilliseconds(), c.GetString())));

            scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
            Assert.Equal([(10L, "one")], seen);
            Assert.Single(server.Connections);
            scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

            Assert.Equal(2, server.Connections.Count);
            Assert.Equal([(10L, "one"), (1030L, "two")], seen);
        }
    });

    private static void OnPostingContext(Action test)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new PostingContext());
        try
        {
            test();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Posts to the thread pool, as a UI's or a test framework's context posts to its own thread.</summary>
    private sealed class PostingContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => ThreadPool.QueueUserWorkItem(_ => d(state));

        public override SynchronizationContext CreateCopy() => this;
    }
}
