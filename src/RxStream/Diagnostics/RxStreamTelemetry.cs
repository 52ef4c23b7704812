namespace RxStream.Diagnostics;

/// <summary>Names the <see cref="System.Diagnostics.Metrics.Meter"/> and the <see cref="System.Diagnostics.ActivitySource"/> through which every RxStream connection reports itself.</summary>
/// <remarks>
/// <para>Wire them into OpenTelemetry with <c>.WithMetrics(m =&gt; m.AddMeter(RxStreamTelemetry.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(RxStreamTelemetry.ActivitySourceName))</c>. Nothing is measured, and nothing is
/// allocated per chunk, while nobody listens.</para>
/// <para>The meter's instruments: <c>rxstream.connection.attempts</c>, <c>rxstream.connection.active</c>,
/// <c>rxstream.connection.duration</c> (s), <c>rxstream.connection.time_to_first_byte</c> (s),
/// <c>rxstream.received.bytes</c> (By), <c>rxstream.received.items</c> and <c>rxstream.reconnects</c>, tagged with
/// <c>rxstream.transport</c> (<c>sse</c>, <c>fetch</c>, <c>websocket</c>), <c>error.type</c> when an attempt failed,
/// and <c>rxstream.reconnect.reason</c> (<c>error</c>, <c>end</c>, <c>idle</c>). The source starts one
/// <see cref="System.Diagnostics.ActivityKind.Client"/> span per connection attempt, from the request to the last byte
/// or the abort; <c>HttpClient</c>'s own span is its child.</para>
/// </remarks>
public static class RxStreamTelemetry
{
    /// <summary>The name of RxStream's meter: <c>RxStream</c>.</summary>
    public const string MeterName = "RxStream";

    /// <summary>The name of RxStream's activity source: <c>RxStream</c>.</summary>
    public const string ActivitySourceName = "RxStream";
}
