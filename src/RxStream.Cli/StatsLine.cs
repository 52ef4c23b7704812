using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using RxStream.Diagnostics;

namespace RxStream.Cli;

/// <summary>Gathers what <c>--stats</c> prints: items from the <c>Measure</c> operator, bytes and reconnects from RxStream's own meter.</summary>
/// <remarks>
/// The meter counts what the operators above the sources cannot see: the bytes on the wire (an SSE stream's field names
/// and heartbeats included), the first of them, and the reconnects a policy scheduled. rxstream runs one stream per
/// process, so everything the meter reports is that stream's.
/// </remarks>
internal sealed class StatsLine : IObserver<StreamStatistics>, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private StreamStatistics _last;
    private long _bytes;
    private long _reconnects;
    private TimeSpan? _firstByte;

    // On the same clock as the first byte, from the start of the command, so the two compare.
    private TimeSpan? _firstItem;

    public StatsLine()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RxStreamTelemetry.MeterName && instrument.Name is "rxstream.received.bytes" or "rxstream.reconnects")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                if (instrument.Name == "rxstream.reconnects")
                {
                    _reconnects += value;
                }
                else
                {
                    _firstByte ??= _clock.Elapsed;
                    _bytes += value;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Returns the summary: time to the first byte and item, items, items per second, bytes and reconnects.</summary>
    public string Summary()
    {
        lock (_gate)
        {
            var rate = _last.ItemsPerSecond is { } perSecond ? perSecond.ToString("0.0", CultureInfo.InvariantCulture) : "-";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"stats: first byte {Milliseconds(_firstByte)}, first item {Milliseconds(_firstItem)}, {_last.Items} items, {rate} items/s, {_bytes} bytes, {_reconnects} {(_reconnects == 1 ? "reconnect" : "reconnects")}");
        }
    }

    public void OnNext(StreamStatistics value)
    {
        lock (_gate)
        {
            _last = value;
            if (value.Items > 0)
            {
                _firstItem ??= _clock.Elapsed;
            }
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _listener.Dispose();

    private static string Milliseconds(TimeSpan? time) =>
        time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms") : "-";
}
