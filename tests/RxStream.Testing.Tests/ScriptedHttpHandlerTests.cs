using System.Net;
using System.Reactive.Concurrency;
using System.Text;
using RxStream.ServerSentEvents;

namespace RxStream.Testing.Tests;

public sealed class ScriptedHttpHandlerTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Constructor_NullScheduler_Throws() =>
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => new ScriptedHttpHandler(null!)).ParamName);

    [Fact]
    public async Task EventSource_ThreeEventsDropAndReplayFromTheId_DeliversEachEventAtItsVirtualTime()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Ok()
                .Send(10 * Ms, "retry: 1000\nid: 1\ndata: a\n\n")
                .Send(20 * Ms, "id: 2\ndata: b\n\n")
                .Send(30 * Ms, "id: 3\ndata: c\n\n")
                .Drop(40 * Ms))
            .Enqueue(request => HttpResponseScript.Ok()
                .Send(5 * Ms, $"id: 4\ndata: after {request.LastEventId}\n\n")
                .HoldOpen());
        using var client = new HttpClient(server);
        var seen = new List<(long Ms, string Data)>();

        using var reconnecting = new SemaphoreSlim(0);
        var status = System.Reactive.Observer.Create<RxStream.Resilience.ConnectionStatus>(s =>
        {
            if (s is RxStream.Resilience.ConnectionStatus.Reconnecting)
            {
                reconnecting.Release();
            }
        });

        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, VirtualSse.Options(scheduler, status))
            .Subscribe(e => seen.Add((scheduler.Now.ToUnixTimeMilliseconds(), e.Data)));
        await server.WaitForRequestAsync(1);

        // To the drop; the policy may schedule its reconnect from another thread, so wait for it before moving on.
        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(40));
        Assert.True(await reconnecting.WaitAsync(TimeSpan.FromSeconds(10)));
        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(1000));
        var reconnect = await server.WaitForRequestAsync(2);
        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(10));

        Assert.Equal([(10L, "a"), (20L, "b"), (30L, "c"), (1045L, "after 3")], seen);
        Assert.Equal("3", reconnect.LastEventId);
        Assert.Equal(1040L, reconnect.ArrivedAt.ToUnixTimeMilliseconds());
        Assert.Null(server.Requests[0].LastEventId);
    }

    [Fact]
    public async Task Fetch_PartsAtTimes_ArriveAsTheScriptsChunksOnlyWhenTheClockReachesThem()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Ok("text/plain").Send(100 * Ms, "hel").Send(250 * Ms, "lo").End(300 * Ms));
        using var client = new HttpClient(server);
        var chunks = new List<(long Ms, string Text)>();
        var completedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var subscription = StreamObservable.Fetch(client, new Uri("http://stream.test/"), new RxStream.Http.FetchOptions { Scheduler = scheduler })
            .Subscribe(c => chunks.Add((scheduler.Now.ToUnixTimeMilliseconds(), c.GetString())), () => completedAt.TrySetResult(scheduler.Now.ToUnixTimeMilliseconds()));
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(99 * Ms);
        Assert.Empty(chunks);

        // Up to the end of the body and no further: the source completes after it has let go of the response, which may
        // finish on another thread, so the clock waits there for it.
        scheduler.AdvanceBy(201 * Ms);

        Assert.Equal(300L, await completedAt.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([(100L, "hel"), (250L, "lo")], chunks);
    }

    [Fact]
    public async Task Fetch_DropAfterBytes_DeliversExactlyThatManyBytesThenFailsAsANetworkDrop()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Ok("text/plain").Send(Ms, "0123").Send(2 * Ms, "4567").Send(3 * Ms, "89").DropAfterBytes(6));
        using var client = new HttpClient(server);
        var received = new StringBuilder();
        Exception? error = null;

        using var subscription = StreamObservable.Fetch(client, new Uri("http://stream.test/"), new RxStream.Http.FetchOptions { Scheduler = scheduler })
            .Subscribe(c => received.Append(c.GetString()), e => error = e);
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal("012345", received.ToString());
        Assert.IsAssignableFrom<IOException>(error);
    }

    [Fact]
    public async Task EventSource_NoContent_StopsWithoutReconnecting()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler).Enqueue(HttpResponseScript.Status(HttpStatusCode.NoContent));
        using var client = new HttpClient(server);
        var completed = false;

        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, VirtualSse.Options(scheduler)).Subscribe(_ => { }, _ => { }, () => completed = true);
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1));

        Assert.True(completed);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task EventSource_ServiceUnavailableWithRetryAfter_ReconnectsAfterThatDelay()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Status(HttpStatusCode.ServiceUnavailable).WithRetryAfter(TimeSpan.FromSeconds(7)))
            .Enqueue(HttpResponseScript.Ok().Send(TimeSpan.Zero, "data: up\n\n").HoldOpen());
        using var client = new HttpClient(server);
        var data = new List<string>();

        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, VirtualSse.Options(scheduler)).Subscribe(e => data.Add(e.Data));
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(7) - Ms);
        Assert.Single(server.Requests);
        scheduler.AdvanceBy(Ms);
        var second = await server.WaitForRequestAsync(2);
        scheduler.AdvanceBy(Ms);

        Assert.Equal(7000L, second.ArrivedAt.ToUnixTimeMilliseconds());
        Assert.Equal(["up"], data);
    }

    [Fact]
    public async Task Fetch_PostWithJsonBody_IsRecordedWithMethodHeadersAndBody()
    {
        var scheduler = new HistoricalScheduler();
        using var server = new ScriptedHttpHandler(scheduler).Enqueue(HttpResponseScript.Ok("text/plain").HoldOpen());
        using var client = new HttpClient(server);

        using var subscription = StreamObservable.Fetch(client, () => new HttpRequestMessage(HttpMethod.Post, "http://stream.test/chat")
        {
            Headers = { { "Authorization", "Bearer t" } },
            Content = new StringContent("""{"prompt":"hi"}""", Encoding.UTF8, "application/json"),
        }).Subscribe(_ => { });
        var request = await server.WaitForRequestAsync();

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("Bearer t", request.Header("authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        Assert.Equal("""{"prompt":"hi"}""", request.BodyText);
    }

    [Fact]
    public async Task Fetch_DisposedWhileAReadIsPending_AbortsTheReadAndCancelsTheScript()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler).Enqueue(HttpResponseScript.Ok("text/plain").Send(Ms, "a").Send(TimeSpan.FromSeconds(5), "late").HoldOpen());
        using var client = new HttpClient(server);
        var received = new List<string>();

        var subscription = StreamObservable.Fetch(client, new Uri("http://stream.test/"), new RxStream.Http.FetchOptions { Scheduler = scheduler })
            .Subscribe(c => received.Add(c.GetString()));
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        subscription.Dispose();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(10));

        Assert.Equal(["a"], received);
    }

    [Fact]
    public async Task Request_BeyondTheScript_FailsSayingSo()
    {
        var scheduler = new HistoricalScheduler();
        using var server = new ScriptedHttpHandler(scheduler);
        using var client = new HttpClient(server);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("http://stream.test/x"));

        Assert.Contains("no answer for request #1 GET http://stream.test/x", error.Message, StringComparison.Ordinal);
    }
}
