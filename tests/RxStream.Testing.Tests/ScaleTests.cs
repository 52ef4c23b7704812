using RxStream.Resilience;
using System.Diagnostics;
using System.Reactive.Concurrency;
using Xunit.Abstractions;

namespace RxStream.Testing.Tests;

public sealed class ScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EventSource_AThousandScriptedReconnects_EachResumesFromTheLastIdInVirtualTime()
    {
        const int Connections = 1000;
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        var next = 0;
        using var server = new ScriptedHttpHandler(scheduler).Otherwise(_ =>
        {
            var id = Interlocked.Increment(ref next);
            return HttpResponseScript.Ok().Send(TimeSpan.Zero, $"retry: 100\nid: {id}\ndata: {id}\n\n").Drop(TimeSpan.FromMilliseconds(10));
        });
        using var client = new HttpClient(server);
        var data = new List<string>();
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;

        // The kit is under test here, not the policy: no floor above the server's retry and no backoff growth, so each
        // reconnect waits exactly the server's 100 ms.
        using var reconnecting = new SemaphoreSlim(0);
        var options = VirtualSse.Options(scheduler) with
        {
            Reconnect = new ReconnectOptions
            {
                UseJitter = false,
                MinDelay = TimeSpan.Zero,
                BackoffResetThreshold = TimeSpan.Zero,
                Status = System.Reactive.Observer.Create<ConnectionStatus>(s =>
                {
                    if (s is ConnectionStatus.Reconnecting)
                    {
                        reconnecting.Release();
                    }
                }),
            },
        };
        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, options).Subscribe(e => data.Add(e.Data));
        for (var i = 1; i <= Connections; i++)
        {
            await server.WaitForRequestAsync(i);

            // The event at once and the drop 10 ms later; then, once the policy has scheduled it (possibly from another
            // thread), the reconnect 100 ms after that. The last connection only up to its drop, so that no request 1001
            // is on its way.
            scheduler.AdvanceBy(TimeSpan.FromMilliseconds(10));
            if (i < Connections)
            {
                Assert.True(await reconnecting.WaitAsync(TimeSpan.FromSeconds(10)));
                scheduler.AdvanceBy(TimeSpan.FromMilliseconds(100));
            }
        }

        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"{Connections} scripted connections (each: one event, a drop, a reconnect after retry: 100 ms) in {clock.ElapsedMilliseconds} ms of wall time ({cpu.TotalMilliseconds:0} ms of CPU, all threads), {scheduler.Now - DateTimeOffset.UnixEpoch} of virtual time.");
        Assert.Equal(Enumerable.Range(1, Connections).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
        Assert.Equal(Enumerable.Range(0, Connections).Select(i => i == 0 ? null : i.ToString(System.Globalization.CultureInfo.InvariantCulture)), server.Requests.Select(r => r.LastEventId));
        Assert.Equal(TimeSpan.FromMilliseconds(110 * 999), server.Requests[^1].ArrivedAt - DateTimeOffset.UnixEpoch);
    }
}
