using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RxStream.Scale;

/// <summary>Writes a run as JSON, CSV, a markdown table and the SVG chart.</summary>
internal static class ReportWriter
{
    public static async Task WriteAsync(ScaleReport report, string directory)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "scale.json"), JsonSerializer.Serialize(report, ScaleJsonContext.Default.ScaleReport));
        await File.WriteAllTextAsync(Path.Combine(directory, "scale.csv"), Csv(report.Results));
        await File.WriteAllTextAsync(Path.Combine(directory, "scale.md"), Markdown(report));
        await File.WriteAllTextAsync(Path.Combine(directory, "scale.svg"), SvgChart.Render(report));
    }

    /// <summary>Rewrites the CSV, the markdown table and the chart from the <c>scale.json</c> of an earlier run in <paramref name="directory"/>.</summary>
    public static async Task<int> RewriteAsync(string directory)
    {
        await using var json = File.OpenRead(Path.Combine(directory, "scale.json"));
        var report = await JsonSerializer.DeserializeAsync(json, ScaleJsonContext.Default.ScaleReport)
            ?? throw new InvalidDataException("scale.json holds no report.");
        await WriteAsync(report, directory);
        Console.WriteLine(Markdown(report));
        return 0;
    }

    public static string ConsoleRow(LevelResult r) => Invariant(
        $"{r.Kind,-8} {r.Streams,6} streams: heap {r.HeapPerStreamBytes / 1024,7:F1} KiB/stream, working set {r.WorkingSetPerStreamBytes / 1024,7:F1} KiB/stream (GC committed {r.GcCommittedPerStreamBytes / 1024:F1}), CPU {r.CpuMsPer1000Events,6:F1} ms/1k events ({r.CpuCores:F2} cores), {r.AllocatedBytesPerEvent,6:F0} B/event, p50 {r.Latency.P50,6:F2} ms, p99 {r.Latency.P99,7:F2} ms, {r.Events} events, gaps {r.Gaps}, failures {r.Failures}, ramp {r.RampSeconds:F1} s");

    public static string Csv(IEnumerable<LevelResult> results)
    {
        var csv = new StringBuilder();
        csv.AppendLine("kind,streams,ramp_s,window_s,events,heap_per_stream_bytes,working_set_per_stream_bytes,gc_committed_per_stream_bytes,cpu_ms_per_1000_events,cpu_cores,allocated_bytes_per_event,gen0,gen2,gc_pause_ms,threads_delta,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,min_ms,gaps,malformed,failures,server_open_after");
        foreach (var r in results)
        {
            var l = r.Latency;
            csv.AppendLine(Invariant(
                $"{r.Kind},{r.Streams},{r.RampSeconds:F2},{r.WindowSeconds:F2},{r.Events},{r.HeapPerStreamBytes:F0},{r.WorkingSetPerStreamBytes:F0},{r.GcCommittedPerStreamBytes:F0},{r.CpuMsPer1000Events:F3},{r.CpuCores:F3},{r.AllocatedBytesPerEvent:F0},{r.Gen0Collections},{r.Gen2Collections},{r.GcPauseMs:F2},{r.ThreadsDelta},{l.P50:F3},{l.P90:F3},{l.P99:F3},{l.P999:F3},{l.Max:F3},{l.Min:F3},{r.Gaps},{r.Malformed},{r.Failures},{r.ServerOpenAfter}"));
        }

        return csv.ToString();
    }

    /// <summary>Builds the table: per level the raw row, the RxStream row (each the median of its runs), and their ratio (below 1.00 means RxStream uses less).</summary>
    public static string Markdown(ScaleReport report)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant($"Machine: {report.Machine}. Date: {report.Date}. {report.Settings}. Clock: {report.ClockCheck}."));
        md.AppendLine();
        md.AppendLine("Each figure is the median of the runs at that level; gaps and failures are summed over them, the server's open count is the largest seen after any of them.");
        md.AppendLine();
        md.AppendLine("| Streams | Client | Heap / stream | Working set / stream | CPU / 1,000 events | Allocated / event | p50 delay | p99 delay | Events in window | Gaps / failures | Server open after |");
        md.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var level in ResultMedian.PerLevelAndKind(report.Results).GroupBy(r => r.Streams))
        {
            var raw = level.FirstOrDefault(r => r.Kind == ScaleOptions.KindName(StreamKind.Raw));
            var rx = level.FirstOrDefault(r => r.Kind == ScaleOptions.KindName(StreamKind.RxStream));
            foreach (var r in new[] { raw, rx }.OfType<LevelResult>())
            {
                md.AppendLine(Invariant(
                    $"| {r.Streams:N0} | {(r == rx ? "RxStream `EventSource`" : "raw `SseParser` loop")} | {r.HeapPerStreamBytes / 1024:F1} KiB | {r.WorkingSetPerStreamBytes / 1024:F1} KiB | {r.CpuMsPer1000Events:F1} ms | {r.AllocatedBytesPerEvent:F0} B | {r.Latency.P50:F2} ms | {r.Latency.P99:F2} ms | {r.Events:N0} | {r.Gaps} / {r.Failures} | {r.ServerOpenAfter} |"));
            }

            if (raw is not null && rx is not null)
            {
                md.AppendLine(Invariant(
                    $"| {rx.Streams:N0} | **RxStream ÷ raw** | **{Ratio(rx.HeapPerStreamBytes, raw.HeapPerStreamBytes)}** | **{Ratio(rx.WorkingSetPerStreamBytes, raw.WorkingSetPerStreamBytes)}** | **{Ratio(rx.CpuMsPer1000Events, raw.CpuMsPer1000Events)}** | **{Ratio(rx.AllocatedBytesPerEvent, raw.AllocatedBytesPerEvent)}** | **{Ratio(rx.Latency.P50, raw.Latency.P50)}** | **{Ratio(rx.Latency.P99, raw.Latency.P99)}** | | | |"));
            }
        }

        return md.ToString();
    }

    private static string Ratio(double rx, double raw) => raw > 0 ? (rx / raw).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
