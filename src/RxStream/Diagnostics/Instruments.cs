using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using RxStream.Resilience;

namespace RxStream.Diagnostics;

// Specification: https://opentelemetry.io/docs/specs/semconv/general/naming/ (names, UCUM units, "{item}" annotations)
// and https://opentelemetry.io/docs/specs/semconv/attributes-registry/error/ (error.type: "the fully-qualified class name").
/// <summary>Holds RxStream's meter, activity source and instruments, one set for the process.</summary>
internal static class Instruments
{
    public const string TransportTag = "rxstream.transport";
    public const string ErrorTypeTag = "error.type";
    public const string ReconnectReasonTag = "rxstream.reconnect.reason";

    private static readonly string? Version = typeof(Instruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(RxStreamTelemetry.ActivitySourceName, Version);

    public static readonly Meter Meter = new(RxStreamTelemetry.MeterName, Version);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("rxstream.connection.attempts", "{attempt}", "Connection attempts, counted when each ends; error.type says why a failed one failed.");

    public static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>("rxstream.connection.active", "{connection}", "Connection attempts in progress, from the request to the last byte.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("rxstream.connection.duration", "s", "How long each connection attempt lasted, from the request to the last byte or the abort.");

    public static readonly Histogram<double> TimeToFirstByte = Meter.CreateHistogram<double>("rxstream.connection.time_to_first_byte", "s", "Time from sending the request to the first byte of the body (or of the first WebSocket message).");

    public static readonly Counter<long> ReceivedBytes = Meter.CreateCounter<long>("rxstream.received.bytes", "By", "Bytes of body or message received.");

    public static readonly Counter<long> ReceivedItems = Meter.CreateCounter<long>("rxstream.received.items", "{item}", "Items emitted by the sources: SSE events, WebSocket messages, body chunks.");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("rxstream.reconnects", "{reconnect}", "Reconnects scheduled by a reconnect policy, by reason: error, end or idle.");

    /// <summary>Gets a value indicating whether anyone listens to a connection's instruments or spans.</summary>
    public static bool AnyConnectionListener =>
        Attempts.Enabled || Active.Enabled || Duration.Enabled || TimeToFirstByte.Enabled || ReceivedBytes.Enabled || ReceivedItems.Enabled || Source.HasListeners();

    /// <summary>Counts one reconnect the policy scheduled after <paramref name="cause"/> (or after a normal end when it is <see langword="null"/>).</summary>
    public static void Reconnecting(Exception? cause)
    {
        if (Reconnects.Enabled)
        {
            var reason = cause switch
            {
                null => "end",
                IdleTimeoutException => "idle",
                _ => "error",
            };
            Reconnects.Add(1, new KeyValuePair<string, object?>(ReconnectReasonTag, reason));
        }
    }
}
