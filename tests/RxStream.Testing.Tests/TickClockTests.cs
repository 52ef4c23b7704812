using System.Reactive.Concurrency;
using RxStream.Http;

namespace RxStream.Testing.Tests;

/// <summary>
/// The kit on a clock of <see cref="long"/> ticks, as Microsoft.Reactive.Testing's <c>TestScheduler</c> keeps it
/// (that package does not restore here, so <see cref="TickScheduler"/> copies its rules): the kit takes any
/// <see cref="IScheduler"/>, not only <see cref="HistoricalScheduler"/>.
/// </summary>
public sealed class TickClockTests
{
    private const long TicksPerMs = TimeSpan.TicksPerMillisecond;

    [Fact]
    public async Task Fetch_OnATickClock_PartsArriveAtTheirTicksAndTheRequestIsStampedWithTheClock()
    {
        var scheduler = new TickScheduler();
        scheduler.AdvanceTo(5 * TicksPerMs);
        using var server = new ScriptedHttpHandler(scheduler).Enqueue(HttpResponseScript.Ok("text/plain")
            .Send(TimeSpan.FromMilliseconds(100), "hel")
            .Send(TimeSpan.FromMilliseconds(250), "lo")
            .End(TimeSpan.FromMilliseconds(300)));
        using var client = new HttpClient(server);
        var chunks = new List<(long Ticks, string Text)>();
        var completedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var subscription = StreamObservable.Fetch(client, new Uri("http://stream.test/"), new FetchOptions { Scheduler = scheduler })
            .Subscribe(c => chunks.Add((scheduler.Clock, c.GetString())), () => completedAt.TrySetResult(scheduler.Clock));
        var request = await server.WaitForRequestAsync();
        scheduler.AdvanceBy(99 * TicksPerMs);
        Assert.Empty(chunks);
        scheduler.AdvanceBy(201 * TicksPerMs);

        Assert.Equal(305 * TicksPerMs, await completedAt.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([(105 * TicksPerMs, "hel"), (255 * TicksPerMs, "lo")], chunks);
        Assert.Equal(new DateTimeOffset(5 * TicksPerMs, TimeSpan.Zero), request.ArrivedAt);
    }

    [Fact]
    public async Task EventSource_OnATickClock_ReconnectsAfterTheServersRetryCountedInTicks()
    {
        var scheduler = new TickScheduler();
        using var server = new ScriptedHttpHandler(scheduler)
            .Enqueue(HttpResponseScript.Ok().Send(TimeSpan.FromMilliseconds(10), "retry: 2000\nid: 1\ndata: a\n\n").Drop(TimeSpan.FromMilliseconds(20)))
            .Enqueue(HttpResponseScript.Ok().Send(TimeSpan.Zero, "id: 2\ndata: b\n\n").HoldOpen());
        using var client = new HttpClient(server);
        var seen = new List<(long Ticks, string Data)>();
        using var reconnecting = new SemaphoreSlim(0);
        var status = System.Reactive.Observer.Create<Resilience.ConnectionStatus>(s =>
        {
            if (s is Resilience.ConnectionStatus.Reconnecting)
            {
                reconnecting.Release();
            }
        });

        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, VirtualSse.Options(scheduler, status))
            .Subscribe(e => seen.Add((scheduler.Clock, e.Data)));
        await server.WaitForRequestAsync(1);
        scheduler.AdvanceBy(20 * TicksPerMs);
        Assert.True(await reconnecting.WaitAsync(TimeSpan.FromSeconds(10)));
        scheduler.AdvanceBy(2000 * TicksPerMs - 1);
        Assert.Single(server.Requests);
        scheduler.AdvanceBy(1);
        var second = await server.WaitForRequestAsync(2);
        scheduler.AdvanceBy(1);

        Assert.Equal("1", second.LastEventId);
        Assert.Equal(2020 * TicksPerMs, second.ArrivedAt.UtcTicks);
        Assert.Equal(["a", "b"], seen.Select(e => e.Data));
        Assert.Equal(10 * TicksPerMs, seen[0].Ticks);
    }

    /// <summary>
    /// A virtual clock of <see cref="TimeSpan"/> ticks with the rules of Microsoft.Reactive.Testing's <c>TestScheduler</c>:
    /// absolute and relative times are <see cref="long"/> ticks, and work due now or earlier runs one tick later.
    /// </summary>
    private sealed class TickScheduler : VirtualTimeScheduler<long, long>
    {
        public override IDisposable ScheduleAbsolute<TState>(TState state, long dueTime, Func<IScheduler, TState, IDisposable> action) =>
            base.ScheduleAbsolute(state, dueTime <= Clock ? Clock + 1 : dueTime, action);

        protected override long Add(long absolute, long relative) => absolute + relative;

        protected override DateTimeOffset ToDateTimeOffset(long absolute) => new(absolute, TimeSpan.Zero);

        protected override long ToRelative(TimeSpan timeSpan) => timeSpan.Ticks;
    }
}
