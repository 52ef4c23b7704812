using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using RxStream.Diagnostics;
using RxStream.Http;

namespace RxStream.Benchmarks.Diagnostics;

/// <summary>Receives 100,000 LLM-token events through the whole <c>EventSource</c> path, read 64 bytes at a time, with nobody listening and with a <see cref="MeterListener"/> and an <see cref="ActivityListener"/> on RxStream.</summary>
/// <remarks>
/// The body comes from an in-memory handler (<see cref="InMemoryTokenStream"/>), not a socket, so that the per-read and
/// per-event cost of the telemetry is not lost in loopback noise: each read reports its bytes and each event its item.
/// The listeners are attached in the setup of their own benchmark only (BenchmarkDotNet runs each benchmark in a
/// process of its own).
/// </remarks>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private static readonly EventSourceOptions OneConnection = new() { Reconnect = null };

    private HttpMessageInvoker _invoker = null!;
    private IDisposable? _listening;

    /// <summary>Serves the events from memory; nobody listens.</summary>
    [GlobalSetup(Target = nameof(NoListener))]
    public void Setup() => _invoker = InMemoryTokenStream.CreateInvoker();

    /// <summary>Serves the events from memory, with a listener on every RxStream instrument and span.</summary>
    [GlobalSetup(Target = nameof(MeterAndActivityListeners))]
    public void SetupListening()
    {
        Setup();
        _listening = InMemoryTokenStream.Listen(RxStreamTelemetry.MeterName, RxStreamTelemetry.ActivitySourceName);
    }

    /// <summary>Stops listening and disposes the client.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _listening?.Dispose();
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
        StreamObservable.EventSource(_invoker, InMemoryTokenStream.Url, OneConnection).Subscribe(_ => count++, e => done.TrySetException(e), () => done.TrySetResult(count));
        return done.Task;
    }
}
