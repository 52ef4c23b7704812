using System.Diagnostics;

namespace RxStream.Scale;

/// <summary>Keeps every server-write-to-OnNext delay seen during the measurement window, in a buffer allocated before the idle baseline.</summary>
/// <remarks>Recording is one interlocked increment and one store, the same cost for both client kinds and no allocation.</remarks>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _count;
    private volatile bool _recording;

    /// <summary>Gets the number of events seen while recording, including any beyond the buffer.</summary>
    public int Events => Volatile.Read(ref _count);

    public void Start()
    {
        Volatile.Write(ref _count, 0);
        _recording = true;
    }

    public void Stop() => _recording = false;

    /// <summary>Records the delay between two <see cref="Stopwatch.GetTimestamp"/> readings, when recording.</summary>
    public void Record(long writtenAt, long receivedAt)
    {
        if (!_recording)
        {
            return;
        }

        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = receivedAt - writtenAt;
        }
    }

    /// <summary>Sorts the recorded delays and reads the nearest-rank percentiles, in milliseconds.</summary>
    public LatencySummary Summarize()
    {
        var count = Math.Min(Events, _samples.Length);
        if (count == 0)
        {
            return new LatencySummary(0, Events, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        Array.Sort(_samples, 0, count);
        double At(double quantile) => ToMilliseconds(_samples[Math.Clamp((int)Math.Ceiling(quantile * count) - 1, 0, count - 1)]);
        return new LatencySummary(count, Events - count, At(0.50), At(0.90), At(0.99), At(0.999), ToMilliseconds(_samples[count - 1]), ToMilliseconds(_samples[0]));
    }

    private static double ToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
