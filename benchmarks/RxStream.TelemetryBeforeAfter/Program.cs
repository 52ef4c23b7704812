extern alias before;
extern alias merge;
extern alias today;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using RxStream.Benchmarks.Diagnostics;

BenchmarkSwitcher.FromAssembly(typeof(TelemetryBeforeAfter).Assembly).Run(args);

/// <summary>
/// The whole <c>EventSource</c> path on 100,000 LLM-token events read 64 bytes at a time (the workload of
/// <c>TelemetryBenchmarks</c>), in three builds of the library in one run: the commit before telemetry (f3a73bf, the
/// baseline), the merge that added it (e973b81), and today's, with nobody listening and with a meter and an activity
/// listener.
/// </summary>
/// <remarks>The earlier builds are the same sources with another assembly name, referenced through extern aliases.</remarks>
[MemoryDiagnoser]
public class TelemetryBeforeAfter
{
    private HttpMessageInvoker _invoker = null!;
    private IDisposable? _listening;

    /// <summary>Serves the events from memory; nobody listens.</summary>
    [GlobalSetup(Targets = [nameof(BeforeTelemetry), nameof(TelemetryMergeNoListener), nameof(TodayNoListener)])]
    public void Setup() => _invoker = InMemoryTokenStream.CreateInvoker();

    /// <summary>Serves the events from memory, with a listener on every RxStream instrument and span.</summary>
    [GlobalSetup(Target = nameof(TodayMeterAndActivityListeners))]
    public void SetupListening()
    {
        Setup();
        _listening = InMemoryTokenStream.Listen(
            today::RxStream.Diagnostics.RxStreamTelemetry.MeterName,
            today::RxStream.Diagnostics.RxStreamTelemetry.ActivitySourceName);
    }

    /// <summary>Stops listening and disposes the client.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _listening?.Dispose();
        _invoker.Dispose();
    }

    /// <summary>The library at f3a73bf, the last commit before telemetry.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> BeforeTelemetry()
    {
        var counter = new Counter();
        before::RxStream.StreamObservable.EventSource(_invoker, InMemoryTokenStream.Url, new before::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(counter);
        return counter.Done;
    }

    /// <summary>The library at e973b81, the merge that added telemetry; nobody listens.</summary>
    [Benchmark]
    public Task<int> TelemetryMergeNoListener()
    {
        var counter = new Counter();
        merge::RxStream.StreamObservable.EventSource(_invoker, InMemoryTokenStream.Url, new merge::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(counter);
        return counter.Done;
    }

    /// <summary>Today's library; nobody listens.</summary>
    [Benchmark]
    public Task<int> TodayNoListener() => TodayAsync();

    /// <summary>Today's library with a meter and an activity listener.</summary>
    [Benchmark]
    public Task<int> TodayMeterAndActivityListeners() => TodayAsync();

    private Task<int> TodayAsync()
    {
        var counter = new Counter();
        today::RxStream.StreamObservable.EventSource(_invoker, InMemoryTokenStream.Url, new today::RxStream.Http.EventSourceOptions { Reconnect = null }).Subscribe(counter);
        return counter.Done;
    }

    /// <summary>Counts the events of any of the three builds and ends <see cref="Done"/> with the count.</summary>
    private sealed class Counter :
        IObserver<before::RxStream.ServerSentEvents.SseEvent>,
        IObserver<merge::RxStream.ServerSentEvents.SseEvent>,
        IObserver<today::RxStream.ServerSentEvents.SseEvent>
    {
        private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task<int> Done => _done.Task;

        void IObserver<before::RxStream.ServerSentEvents.SseEvent>.OnNext(before::RxStream.ServerSentEvents.SseEvent value) => _count++;

        void IObserver<merge::RxStream.ServerSentEvents.SseEvent>.OnNext(merge::RxStream.ServerSentEvents.SseEvent value) => _count++;

        void IObserver<today::RxStream.ServerSentEvents.SseEvent>.OnNext(today::RxStream.ServerSentEvents.SseEvent value) => _count++;

        public void OnError(Exception error) => _done.TrySetException(error);

        public void OnCompleted() => _done.TrySetResult(_count);
    }
}
