using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;
using RxStream.ServerSentEvents;

namespace RxStream.Benchmarks.Http;

/// <summary>Receives 100,000 LLM-token events from Kestrel on loopback with <c>EventSource</c> and with a raw <c>HttpClient</c> + <c>SseParser</c> loop.</summary>
/// <remarks>Both read the same endpoint, produce each event's data as a string and count events; the server ends the body, and both complete there.</remarks>
[MemoryDiagnoser]
[MedianColumn] // The in-process server shares the cores with the client: the median resists the outliers that sharing makes.
public class EventSourceConnectionBenchmarks
{
    /// <summary>How many events one stream carries.</summary>
    public const int EventCount = 100_000;

    // Events per server write: a token stream flushed in small batches, as a busy model server does.
    private const int EventsPerWrite = 100;

    private static readonly byte[] Event = "data: {\"choices\":[{\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();

    // No reconnect: the sequence completes when the server ends the body, as the raw loop does.
    private static readonly EventSourceOptions OneConnection = new() { Reconnect = null };

    private LoopbackHost _host = null!;
    private HttpClient _client = null!;
    private Uri _url = null!;

    [GlobalSetup]
    public void Setup()
    {
        var batch = new byte[Event.Length * EventsPerWrite];
        for (var i = 0; i < EventsPerWrite; i++)
        {
            Event.CopyTo(batch, i * Event.Length);
        }

        _host = LoopbackHost.Start(app => app.MapGet("/events", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var sent = 0; sent < EventCount; sent += EventsPerWrite)
            {
                await context.Response.Body.WriteAsync(batch);
                await context.Response.Body.FlushAsync();
            }
        }));
        _client = new HttpClient();
        _url = _host.Url("/events");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads the stream as a hand-written .NET client does: a GET, then the BCL parser's async enumerator.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> RawSseParserLoop()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long events = 0;
        await foreach (var item in SseParser.Create(body).EnumerateAsync())
        {
            events += item.Data.Length > 0 ? 1 : 0;
        }

        return Checked(events);
    }

    /// <summary>Reads the same stream through <c>EventSource</c> with one connection.</summary>
    [Benchmark]
    public Task<long> EventSourceConnection()
    {
        var counter = new EventCounter();
        StreamObservable.EventSource(_client, _url, OneConnection).Subscribe(counter);
        return counter.Events;
    }

    private static long Checked(long events) =>
        events == EventCount ? events : throw new InvalidOperationException($"Expected {EventCount} events, got {events}.");

    private sealed class EventCounter : IObserver<SseEvent>
    {
        private readonly TaskCompletionSource<long> _events = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count;

        public Task<long> Events => _events.Task;

        public void OnNext(SseEvent value) => _count += value.Data.Length > 0 ? 1 : 0;

        public void OnError(Exception error) => _events.TrySetException(error);

        public void OnCompleted()
        {
            try
            {
                _events.TrySetResult(Checked(_count));
            }
            catch (InvalidOperationException error)
            {
                _events.TrySetException(error);
            }
        }
    }
}
