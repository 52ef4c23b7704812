namespace RxStream.Scale;

/// <summary>What one client kind measured at one number of streams.</summary>
internal sealed record LevelResult
{
    public required string Kind { get; init; }

    public required int Streams { get; init; }

    /// <summary>Gets the seconds it took to open every stream (all first events in).</summary>
    public required double RampSeconds { get; init; }

    public required double WindowSeconds { get; init; }

    /// <summary>Gets the events delivered during the window; the server sends one per stream per second.</summary>
    public required long Events { get; init; }

    public required double HeapPerStreamBytes { get; init; }

    public required double WorkingSetPerStreamBytes { get; init; }

    /// <summary>Gets the growth of the GC's committed memory per stream: the heap plus free space the GC keeps, part of the working set.</summary>
    public double GcCommittedPerStreamBytes { get; init; }

    public required long BaselineHeapBytes { get; init; }

    public required long BaselineWorkingSetBytes { get; init; }

    /// <summary>Gets the client's CPU time (all threads) per 1,000 events during the window, in milliseconds.</summary>
    public required double CpuMsPer1000Events { get; init; }

    /// <summary>Gets the CPU share of the window, where 1.0 is one core busy all along.</summary>
    public required double CpuCores { get; init; }

    public required double AllocatedBytesPerEvent { get; init; }

    public required int Gen0Collections { get; init; }

    public required int Gen2Collections { get; init; }

    /// <summary>Gets the time the GC held every managed thread still during the window, in milliseconds.</summary>
    public double GcPauseMs { get; init; }

    public required int ThreadsDelta { get; init; }

    public required LatencySummary Latency { get; init; }

    public required long Gaps { get; init; }

    public required long Malformed { get; init; }

    /// <summary>Gets the streams that stopped before the client disposed them, by an error or a normal end.</summary>
    public required long Failures { get; init; }

    public string? FirstFailure { get; init; }

    /// <summary>Gets the server's open-stream count after the client disposed everything and the server drained; 0 when all closed.</summary>
    public int? ServerOpenAfter { get; init; }
}
