using System.Reactive.Concurrency;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.Testing;

namespace RxStream.Tests.Http;

/// <summary>EventSource's timeouts in virtual time, against RxStream.Testing's scripted server instead of a socket and the wall clock.</summary>
public sealed class EventSourceVirtualTimeTests
{
    private static readonly Uri Address = new("http://stream.test/events");

    [Fact]
    public async Task EventSource_HeadersLaterThanTheConnectTimeout_FailsAtExactlyTheTimeout()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler).Enqueue(HttpResponseScript.Ok().HeadersAt(TimeSpan.FromSeconds(30)).HoldOpen());
        using var client = new HttpClient(server);
        Exception? error = null;
        var failedAt = TimeSpan.Zero;

        using var subscription = StreamObservable.EventSource(client, Address, new EventSourceOptions { Scheduler = scheduler, ConnectTimeout = TimeSpan.FromSeconds(5), Reconnect = null })
            .Subscribe(_ => { }, e => (error, failedAt) = (e, scheduler.Now - DateTimeOffset.UnixEpoch));
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Null(error);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<ConnectTimeoutException>(error).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), failedAt);
    }

    [Fact]
    public async Task EventSource_SilenceLongerThanTheIdleTimeout_ReconnectsWithTheLastEventId()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Ok().Send(TimeSpan.FromSeconds(1), "retry: 100\nid: 7\ndata: a\n\n").HoldOpen())
            .Enqueue(HttpResponseScript.Ok().HoldOpen());
        using var client = new HttpClient(server);
        var options = new EventSourceOptions
        {
            Scheduler = scheduler,
            IdleTimeout = TimeSpan.FromSeconds(10),
            Reconnect = new ReconnectOptions { UseJitter = false },
        };

        using var subscription = StreamObservable.EventSource(client, Address, options).Subscribe(_ => { });
        await server.WaitForRequestAsync();

        // Idle from 1 s to 11 s, then the server's retry: 100 raised to the policy's 0.5 s floor (MinDelay).
        scheduler.AdvanceBy(TimeSpan.FromSeconds(11.5));
        var second = await server.WaitForRequestAsync(2);

        Assert.Equal("7", second.LastEventId);
        Assert.Equal(TimeSpan.FromSeconds(11.5), second.ArrivedAt - DateTimeOffset.UnixEpoch);
    }
}
