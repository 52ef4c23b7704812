using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using BenchmarkDotNet.Attributes;
using RxStream.Diagnostics;
using RxStream.Http;
using RxStream.ServerSentEvents;

namespace RxStream.Benchmarks.Diagnostics;

/// <summary>Receives 100,000 LLM-token events through the whole <c>EventSource</c> path, read 64 bytes at a time, with nobody listening and with a <see cref="MeterListener"/> and an <see cref="ActivityListener"/> on RxStream.</summary>
/// <remarks>
/// The body comes from an in-memory handler, not a socket, so that the per-read and per-event cost of the telemetry is
/// not lost in loopback noise: each read reports its bytes and each event its item. The listeners are attached in the
/// setup of their own benchmark only (BenchmarkDotNet runs each benchmark in a process of its own).
/// </remarks>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private const int EventCount = 100_000;
    private const int ReadSize = 64;

    private static readonly byte[] Event = "data: {\"choices\":[{\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();
    private static readonly EventSourceOptions OneConnection = new() { Reconnect = null };
    private static readonly Uri Url = new("http://127.0.0.1/events");

    private HttpMessageInvoker _invoker = null!;
    private MeterListener? _meters;
    private ActivityListener? _spans;
    private long _measured;

    [GlobalSetup(Target = nameof(NoListener))]
    public void Setup()
    {
        var body = new byte[Event.Length * EventCount];
        for (var i = 0; i < EventCount; i++)
        {
            Event.CopyTo(body, i * Event.Length);
        }

        _invoker = new HttpMessageInvoker(new InMemoryHandler(body));
    }

    [GlobalSetup(Target = nameof(MeterAndActivityListeners))]
    public void SetupListening()
    {
        Setup();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RxStreamTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((_, value, _, _) => _measured += value);
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => _measured++);
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RxStreamTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_spans);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _spans?.Dispose();
        _invoker.Dispose();
    }

    /// <summary>Nobody listens: each read and event pays one null test and one field test.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> NoListener() => CountAsync();

    /// <summary>A meter listener on every instrument and an activity listener that records every span.</summary>
    [Benchmark]
    public Task<int> MeterAndActivityListeners() => CountAsync();

    private Task<int> CountAsync()
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        StreamObservable.EventSource(_invoker, Url, OneConnection).Subscribe(_ => count++, e => done.TrySetException(e), () => done.TrySetResult(count));
        return done.Task;
    }

    /// <summary>Answers every request with the same event stream, served <see cref="ReadSize"/> bytes per read.</summary>
    private sealed class InMemoryHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new ShortReads(body));
            content.Headers.ContentType = new("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A memory stream that returns at most <see cref="ReadSize"/> bytes per read, as a slow network does.</summary>
    private sealed class ShortReads(byte[] body) : MemoryStream(body, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, ReadSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, ReadSize)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, ReadSize)], cancellationToken);
    }
}
