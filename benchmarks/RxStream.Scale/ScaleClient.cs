using System.Diagnostics;
using System.Text.Json;
using RxStream.Http;

namespace RxStream.Scale;

/// <summary>The client child: opens N streams of one kind, measures one window, closes them all and prints one <c>result {json}</c> line.</summary>
/// <remarks>
/// Each (kind, level) runs in a fresh client process, so memory that one run leaves committed (GC regions, grown
/// thread stacks, pooled buffers) cannot hide inside the next run's idle baseline.
/// </remarks>
internal static class ScaleClient
{
    private const int WarmStreams = 16;

    public static async Task<int> RunAsync(ScaleOptions options)
    {
        FileDescriptorLimit.Raise(ScaleOptions.WantedFileDescriptors);
        var name = ScaleOptions.KindName(options.Kind);
        var url = new Uri($"http://127.0.0.1:{options.Port}/events");
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = options.BatchLimit,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var client = new HttpClient(handler) { Timeout = options.BatchLimit };

        // Allocated before the baseline, so the measuring buffer is not counted as the streams' memory.
        var recorder = new LatencyRecorder(checked(options.Streams * ((int)Math.Ceiling(options.Window.TotalSeconds) + 2)));

        // Warm up the code paths (JIT, pools, the connection machinery) with a few streams, so the baseline is a warm idle process.
        var warm = new ProbeHub(new LatencyRecorder(0));
        await using (var fleet = CreateFleet(options, client, url))
        {
            await OpenAsync(fleet, warm, WarmStreams, WarmStreams, options.BatchLimit, name);
            await warm.Ticked.WhenAtLeast(WarmStreams).WaitAsync(options.BatchLimit);
        }

        var baseline = MemorySnapshot.Take();
        var hub = new ProbeHub(recorder);
        var fleetUnderTest = CreateFleet(options, client, url);
        try
        {
            var ramp = Stopwatch.StartNew();
            await OpenAsync(fleetUnderTest, hub, options.Streams, options.Batch, options.BatchLimit, name);
            var rampSeconds = ramp.Elapsed.TotalSeconds;
            await Console.Error.WriteLineAsync($"{name} {options.Streams}: all open in {rampSeconds:F1} s; warming up {options.Warmup.TotalSeconds} s");
            await Task.Delay(options.Warmup);

            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var gen0Before = GC.CollectionCount(0);
            var gen2Before = GC.CollectionCount(2);
            var pauseBefore = GC.GetTotalPauseDuration();
            var window = Stopwatch.StartNew();
            recorder.Start();
            await Task.Delay(options.Window);
            recorder.Stop();
            var windowSeconds = window.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var gen0 = GC.CollectionCount(0) - gen0Before;
            var gen2 = GC.CollectionCount(2) - gen2Before;
            var pause = GC.GetTotalPauseDuration() - pauseBefore;
            var events = recorder.Events;

            // Memory while every stream is still open, after the window so the measuring does not disturb it.
            var loaded = MemorySnapshot.Take();
            var result = new LevelResult
            {
                Kind = name,
                Streams = options.Streams,
                RampSeconds = rampSeconds,
                WindowSeconds = windowSeconds,
                Events = events,
                HeapPerStreamBytes = (double)(loaded.ManagedHeap - baseline.ManagedHeap) / options.Streams,
                WorkingSetPerStreamBytes = (double)(loaded.WorkingSet - baseline.WorkingSet) / options.Streams,
                GcCommittedPerStreamBytes = (double)(loaded.GcCommitted - baseline.GcCommitted) / options.Streams,
                BaselineHeapBytes = baseline.ManagedHeap,
                BaselineWorkingSetBytes = baseline.WorkingSet,
                CpuMsPer1000Events = events == 0 ? double.NaN : cpu.TotalMilliseconds * 1000 / events,
                CpuCores = cpu.TotalSeconds / windowSeconds,
                AllocatedBytesPerEvent = events == 0 ? double.NaN : (double)allocated / events,
                Gen0Collections = gen0,
                Gen2Collections = gen2,
                GcPauseMs = pause.TotalMilliseconds,
                ThreadsDelta = loaded.Threads - baseline.Threads,
                Latency = recorder.Summarize(),
                Gaps = hub.Gaps,
                Malformed = hub.Malformed,
                Failures = hub.Failures + hub.Ends,
                FirstFailure = hub.FirstFailure?.ToString().Split('\n')[0],
            };
            await Console.Out.WriteLineAsync("result " + JsonSerializer.Serialize(result, ScaleJsonContext.Default.LevelResult).ReplaceLineEndings(" "));
            await Console.Out.FlushAsync();
            return 0;
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync(
                $"{name} {options.Streams}: gave up after {hub.Opened.Count} streams opened; {hub.Failures} failed, first: {hub.FirstFailure?.Message ?? "none"}");
            return 2;
        }
        finally
        {
            await fleetUnderTest.DisposeAsync();
        }
    }

    private static IStreamFleet CreateFleet(ScaleOptions options, HttpClient client, Uri url)
    {
        if (options.Kind == StreamKind.Raw)
        {
            return new RawSseFleet(client, url);
        }

        var eventSource = new EventSourceOptions();
        if (options.RxBufferSize > 0)
        {
            eventSource = eventSource with { BufferSize = options.RxBufferSize };
        }

        if (!options.RxReconnect)
        {
            eventSource = eventSource with { Reconnect = null };
        }

        return new RxStreamFleet(client, url, eventSource);
    }

    /// <summary>Opens <paramref name="count"/> streams, <paramref name="batch"/> at a time, each batch complete (first events in) before the next starts.</summary>
    /// <exception cref="TimeoutException">A batch did not open within <paramref name="batchLimit"/>, or a stream failed.</exception>
    private static async Task OpenAsync(IStreamFleet fleet, ProbeHub hub, int count, int batch, TimeSpan batchLimit, string name)
    {
        var reported = Stopwatch.StartNew();
        for (var opened = 0; opened < count;)
        {
            var size = Math.Min(batch, count - opened);
            for (var i = 0; i < size; i++)
            {
                fleet.Open(new StreamProbe(hub));
            }

            opened += size;
            await hub.Opened.WhenAtLeast(opened).WaitAsync(batchLimit);
            if (hub.Failures > 0)
            {
                throw new TimeoutException($"A stream failed while opening: {hub.FirstFailure?.Message}");
            }

            if (reported.Elapsed > TimeSpan.FromSeconds(2))
            {
                await Console.Error.WriteLineAsync($"{name} {count}: {opened} open");
                reported.Restart();
            }
        }
    }
}
