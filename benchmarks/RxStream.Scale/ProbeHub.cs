namespace RxStream.Scale;

/// <summary>Gathers what every stream's probe reports: openings, delays, lost events and failures.</summary>
internal sealed class ProbeHub(LatencyRecorder recorder)
{
    private long _gaps;
    private long _malformed;
    private long _failures;
    private long _ends;

    public LatencyRecorder Recorder { get; } = recorder;

    /// <summary>Gets the number of streams that have delivered their first event.</summary>
    public CountSignal Opened { get; } = new();

    /// <summary>Gets the number of streams that have delivered a second event, the first one sent on the stream's phase.</summary>
    public CountSignal Ticked { get; } = new();

    /// <summary>Gets the number of times an event ID did not follow the previous one: a lost event or a silent reconnect.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Gets the number of streams that failed before the client disposed them.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Gets the number of streams that ended normally, which the server never does on its own.</summary>
    public long Ends => Interlocked.Read(ref _ends);

    public Exception? FirstFailure { get; private set; }

    public void Gap() => Interlocked.Increment(ref _gaps);

    public void BadEvent() => Interlocked.Increment(ref _malformed);

    public void Ended() => Interlocked.Increment(ref _ends);

    public void Failed(Exception error)
    {
        if (Interlocked.Increment(ref _failures) == 1)
        {
            FirstFailure = error;
        }
    }
}
