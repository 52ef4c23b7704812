using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;

namespace RxStream.Benchmarks.Diagnostics;

/// <summary>
/// The telemetry benchmarks' workload: 100,000 LLM-token events served from memory, 64 bytes per read, so that each read
/// and each event reports to the telemetry without loopback noise. Shared by <c>TelemetryBenchmarks</c> and
/// <c>benchmarks/RxStream.TelemetryBeforeAfter</c> (linked there), which must measure the same work.
/// </summary>
internal static class InMemoryTokenStream
{
    /// <summary>How many events the body carries.</summary>
    public const int EventCount = 100_000;

    /// <summary>The most bytes one read returns.</summary>
    public const int ReadSize = 64;

    private static readonly byte[] Event = "data: {\"choices\":[{\"delta\":{\"content\":\"tok\"}}]}\n\n"u8.ToArray();

    /// <summary>Gets the address the requests go to; nothing listens there.</summary>
    public static Uri Url { get; } = new("http://127.0.0.1/events");

    /// <summary>Creates an invoker that answers every request with the whole event stream.</summary>
    public static HttpMessageInvoker CreateInvoker()
    {
        var body = new byte[Event.Length * EventCount];
        for (var i = 0; i < EventCount; i++)
        {
            Event.CopyTo(body, i * Event.Length);
        }

        return new HttpMessageInvoker(new InMemoryHandler(body));
    }

    /// <summary>Listens to every instrument of the meter <paramref name="meterName"/> and records every span of the source <paramref name="activitySourceName"/>.</summary>
    /// <returns>What stops listening when disposed.</returns>
    public static IDisposable Listen(string meterName, string activitySourceName)
    {
        long measured = 0;
        var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => measured += value);
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => measured++);
        meters.Start();
        var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == activitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(spans);
        return new Listeners(meters, spans);
    }

    private sealed class Listeners(MeterListener meters, ActivityListener spans) : IDisposable
    {
        public void Dispose()
        {
            meters.Dispose();
            spans.Dispose();
        }
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
