extern alias before;
extern alias merge;
extern alias today;

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TelemetryBeforeAfter).Assembly).Run(args);

/// <summary>
/// The whole <c>EventSource</c> path on 100,000 LLM-token events read 64 bytes at a time (as <c>TelemetryBenchmarks</c>),
/// in three builds of the library in one run: the commit before telemetry (f3a73bf, the baseline), the merge that
/// added it (e973b81), and today's, with nobody listening and with a meter and an activity listener.
/// </summary>
/// <remarks>The earlier builds are the same sources with another assembly name, referenced through extern aliases.</remarks>
[MemoryDiagnoser]
public class TelemetryBeforeAfter
{
    private const int EventCount = 100_000;
    private const int ReadSize = 64;
    private static readonly byte[] Event = "data: {\"choices\":[{\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();
    private static readonly Uri Url = new("http://127.0.0.1/events");

    private HttpMessageInvoker _invoker = null!;
    private MeterListener? _meters;
    private ActivityListener? _spans;
    private long _measured;

    /// <summary>Serves the events from memory; nobody listens.</summary>
    [GlobalSetup(Targets = [nameof(BeforeTelemetry), nameof(TelemetryMergeNoListener), nameof(TodayNoListener)])]
    public void Setup()
    {
        var body = new byte[Event.Length * EventCount];
        for (var i = 0; i < EventCount; i++)
        {
            Event.CopyTo(body, i * Event.Length);
        }

        _invoker = new HttpMessageInvoker(new InMemoryHandler(body));
    }

    /// <summary>Serves the events from memory, with a listener on every RxStream instrument and span.</summary>
    [GlobalSetup(Target = nameof(TodayMeterAndActivityListeners))]
    public void SetupListening()
    {
        Setup();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == today::RxStream.Diagnostics.RxStreamTelemetry.MeterName)
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
            ShouldListenTo = source => source.Name == today::RxStream.Diagnostics.RxStreamTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_spans);
    }

    /// <summary>Removes the listeners and the client.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _spans?.Dispose();
        _invoker.Dispose();
    }

    /// <summary>The library at f3a73bf, the last commit before telemetry.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> BeforeTelemetry()
    {
        var done = NewDone();
        before::RxStream.StreamObservable.EventSource(_invoker, Url, new before::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(new Counter(done));
        return done.Task;
    }

    /// <summary>The library at e973b81, the merge that added telemetry; nobody listens.</summary>
    [Benchmark]
    public Task<int> TelemetryMergeNoListener()
    {
        var done = NewDone();
        merge::RxStream.StreamObservable.EventSource(_invoker, Url, new merge::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(new Counter(done));
        return done.Task;
    }

    /// <summary>Today's library; nobody listens.</summary>
    [Benchmark]
    public Task<int> TodayNoListener() => TodayAsync();

    /// <summary>Today's library with a meter and an activity listener.</summary>
    [Benchmark]
    public Task<int> TodayMeterAndActivityListeners() => TodayAsync();

    private static TaskCompletionSource<int> NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<int> TodayAsync()
    {
        var done = NewDone();
        today::RxStream.StreamObservable.EventSource(_invoker, Url, new today::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(new Counter(done));
        return done.Task;
    }

    /// <summary>Counts the events of any of the three builds and completes <paramref name="done"/> with the count.</summary>
    private sealed class Counter(TaskCompletionSource<int> done) :
        IObserver<before::RxStream.ServerSentEvents.SseEvent>,
        IObserver<merge::RxStream.ServerSentEvents.SseEvent>,
        IObserver<today::RxStream.ServerSentEvents.SseEvent>
    {
        private int _count;

        void IObserver<before::RxStream.ServerSentEvents.SseEvent>.OnNext(before::RxStream.ServerSentEvents.SseEvent value) => _count++;

        void IObserver<merge::RxStream.ServerSentEvents.SseEvent>.OnNext(merge::RxStream.ServerSentEvents.SseEvent value) => _count++;

        void IObserver<today::RxStream.ServerSentEvents.SseEvent>.OnNext(today::RxStream.ServerSentEvents.SseEvent value) => _count++;

        public void OnError(Exception error) => done.TrySetException(error);

        public void OnCompleted() => done.TrySetResult(_count);
    }

    /// <summary>Answers every request with the same event stream.</summary>
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
