using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using RxStream.Diagnostics;

namespace RxStream.Tests.Testing;

/// <summary>Listens to RxStream's meter and activity source (and HttpClient's spans) for one test, keeping only what belongs to the trace of its own root span.</summary>
/// <remarks>
/// Meters are process-global and tests run in parallel: a measurement counts only when <see cref="Activity.Current"/>
/// at the moment it is recorded belongs to <see cref="Root"/>'s trace. Sources subscribed inside <see cref="Root"/>
/// inherit it through the execution context, their timers and their reconnects included.
/// </remarks>
public sealed class TelemetryRecorder : IDisposable
{
    /// <summary>The collection of tests that listen to the process-global meter; they run one at a time.</summary>
    public const string Collection = "RxStream telemetry";

    private static readonly ActivitySource TestSource = new("RxStream.Tests.Telemetry");
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private TaskCompletionSource _spanStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Activity? _root;

    public TelemetryRecorder()
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RxStreamTelemetry.ActivitySourceName or "System.Net.Http" or "RxStream.Tests.Telemetry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (_root is { } root && activity.TraceId == root.TraceId)
                {
                    TaskCompletionSource signal;
                    lock (_stopped)
                    {
                        _stopped.Enqueue(activity);
                        signal = _spanStopped;
                        _spanStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    signal.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(_spans);
        _root = TestSource.StartActivity("test root") ?? throw new InvalidOperationException("the test's root span was not sampled");

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RxStreamTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    /// <summary>Gets the test's root span: subscribe inside it.</summary>
    public Activity Root => _root!;

    /// <summary>Gets the spans of the root's trace that have stopped, in stop order.</summary>
    public IReadOnlyList<Activity> StoppedSpans => _stopped.ToArray();

    /// <summary>Returns the first span of the root's trace from <paramref name="sourceName"/> once it has stopped; fails after <paramref name="limit"/>.</summary>
    public async Task<Activity> WaitForStoppedSpanAsync(string sourceName, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_stopped)
            {
                if (_stopped.FirstOrDefault(s => s.Source.Name == sourceName) is { } stopped)
                {
                    return stopped;
                }

                changed = _spanStopped.Task;
            }

            await changed.WaitAsync(deadline.Token);
        }
    }

    /// <summary>Gets the measurements of <paramref name="instrument"/> in this trace, in order.</summary>
    public IReadOnlyList<Measurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToArray();

    public void Dispose()
    {
        Root.Stop();
        _meters.Dispose();
        _spans.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_root is not { } root || Activity.Current?.TraceId != root.TraceId)
        {
            return;
        }

        var copy = new Dictionary<string, object?>();
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, copy));
    }

    /// <summary>One recorded value with its instrument, unit and tags.</summary>
    public sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        /// <summary>Gets a tag's value, or <see langword="null"/>.</summary>
        public object? Tag(string name) => Tags.TryGetValue(name, out var value) ? value : null;
    }
}

/// <summary>Runs the tests that listen to RxStream's process-global meter one at a time.</summary>
[CollectionDefinition(TelemetryRecorder.Collection, DisableParallelization = true)]
public sealed class TelemetryCollection;
