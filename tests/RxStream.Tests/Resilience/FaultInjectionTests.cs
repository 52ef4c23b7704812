using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;
using RxStream.Resilience;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Resilience;

public class FaultInjectionTests
{
    private const int EventCount = 1000;
    private const int Drops = 200;

    // A dropped connection delivers fewer than this many whole events, so the 200 drops use at most 800 of the 1,000
    // events and always happen, however the client's reads and the resets interleave.
    private const int EventsPerConnection = 5;

    [Fact]
    public async Task EventSource_ServerAbortsAtRandomByteOffsets_DeliversEveryEventExactlyOnceInOrder()
    {
        var random = new Random(20261124);
        var drops = 0;
        var connections = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/events", async (HttpContext context) =>
        {
            Interlocked.Increment(ref connections);
            var after = int.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
            if (after == EventCount)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            var bytes = Encoding.UTF8.GetBytes(Render(after + 1, Math.Min(EventCount, after + EventsPerConnection)));
            int cut;
            lock (random)
            {
                cut = drops < Drops ? random.Next(bytes.Length) : bytes.Length;
            }

            await context.Response.Body.WriteAsync(bytes.AsMemory(0, cut));
            await context.Response.Body.FlushAsync();
            if (cut < bytes.Length)
            {
                Interlocked.Increment(ref drops);
                context.Abort();
            }
        }));
        using var client = new HttpClient();
        var observer = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions { Reconnect = new ReconnectOptions { BaseDelay = TimeSpan.Zero, MinDelay = TimeSpan.Zero, UseJitter = false } };

        using var subscription = StreamObservable.EventSource(client, server.Url("/events"), options).Subscribe(observer);
        var events = await observer.Terminal.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsFaulted ? throw new TimeoutException($"{drops} drops, {connections} connections, {observer.Values.Count} events") : t.Result);

        Assert.Null(events);
        var ids = observer.Values.Select(e => int.Parse(e.LastEventId, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, EventCount), ids);
        Assert.All(observer.Values, e => Assert.Equal(Payload(int.Parse(e.LastEventId, CultureInfo.InvariantCulture)), e.Data));
        Assert.True(drops >= Drops, $"only {drops} drops");
    }

    // Mixed line ends and multi-byte text, so a random cut falls inside a line, inside a UTF-8 sequence, or between CR and LF.
    private static string Render(int first, int last)
    {
        var text = new StringBuilder();
        for (var i = first; i <= last; i++)
        {
            var end = (i % 3) switch { 0 => "\r\n", 1 => "\n", _ => "\r" };
            var payload = Payload(i).Split('\n');
            text.Append("id: ").Append(i).Append(end)
                .Append("data: ").Append(payload[0]).Append(end)
                .Append("data: ").Append(payload[1]).Append(end)
                .Append(end);
        }

        return text.ToString();
    }

    private static string Payload(int i) => $"événement {i} — 你好 🙂\nline two of {i}";
}
