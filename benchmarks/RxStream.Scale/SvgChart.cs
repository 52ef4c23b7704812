using System.Globalization;
using System.Net;
using System.Text;

namespace RxStream.Scale;

/// <summary>Draws the run as a hand-written SVG: memory per stream, delay percentiles and CPU against the number of streams, RxStream beside raw.</summary>
internal static class SvgChart
{
    private const double PanelWidth = 360;
    private const double Height = 440;
    private const double Left = 64;
    private const double Right = 30;
    private const double Top = 92;
    private const double Bottom = 56;
    private const string RxColor = "#1f6fb4";
    private const string RawColor = "#e0761a";

    public static string Render(ScaleReport report)
    {
        var results = ResultMedian.PerLevelAndKind(report.Results);
        var maxStreams = results.Count == 0 ? 1 : results.Max(r => r.Streams);
        var svg = new StringBuilder();
        var width = PanelWidth * 3;
        svg.AppendLine(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{Height}" viewBox="0 0 {width} {Height}" font-family="sans-serif" font-size="12">"""));
        svg.AppendLine(Invariant($"""<rect width="{width}" height="{Height}" fill="white"/>"""));
        svg.AppendLine(Invariant($"""<text x="{width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">Concurrent SSE streams: RxStream EventSource vs raw HttpClient + SseParser</text>"""));
        svg.AppendLine(Invariant($"""<text x="{width / 2}" y="40" text-anchor="middle" fill="#555">{Escape(report.Machine)} · {Escape(report.Date)}</text>"""));
        Legend(svg, (width / 2) - 190, 58);

        Panel(svg, 0, "Client memory per stream (KiB)", "solid: working set · dashed: managed heap", maxStreams, logarithmic: false,
        [
            Series(results, StreamKind.RxStream, r => r.WorkingSetPerStreamBytes / 1024, RxColor, dashed: false, "RxStream working set"),
            Series(results, StreamKind.Raw, r => r.WorkingSetPerStreamBytes / 1024, RawColor, dashed: false, "raw working set"),
            Series(results, StreamKind.RxStream, r => r.HeapPerStreamBytes / 1024, RxColor, dashed: true, "RxStream heap"),
            Series(results, StreamKind.Raw, r => r.HeapPerStreamBytes / 1024, RawColor, dashed: true, "raw heap"),
        ]);
        Panel(svg, PanelWidth, "Server write → OnNext delay (ms, log)", "solid: p50 · dashed: p99", maxStreams, logarithmic: true,
        [
            Series(results, StreamKind.RxStream, r => r.Latency.P50, RxColor, dashed: false, "RxStream p50"),
            Series(results, StreamKind.Raw, r => r.Latency.P50, RawColor, dashed: false, "raw p50"),
            Series(results, StreamKind.RxStream, r => r.Latency.P99, RxColor, dashed: true, "RxStream p99"),
            Series(results, StreamKind.Raw, r => r.Latency.P99, RawColor, dashed: true, "raw p99"),
        ]);
        Panel(svg, PanelWidth * 2, "Client CPU per 1,000 events (ms)", "all threads, idle cost included", maxStreams, logarithmic: false,
        [
            Series(results, StreamKind.RxStream, r => r.CpuMsPer1000Events, RxColor, dashed: false, "RxStream CPU"),
            Series(results, StreamKind.Raw, r => r.CpuMsPer1000Events, RawColor, dashed: false, "raw CPU"),
        ]);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static (string Name, string Color, bool Dashed, IReadOnlyList<(double X, double Y)> Points) Series(
        IReadOnlyList<LevelResult> results, StreamKind kind, Func<LevelResult, double> value, string color, bool dashed, string name) =>
        (name, color, dashed, results.Where(r => r.Kind == ScaleOptions.KindName(kind)).OrderBy(r => r.Streams).Select(r => ((double)r.Streams, value(r))).ToList());

    private static void Legend(StringBuilder svg, double x, double y)
    {
        svg.AppendLine(Invariant($"""<line x1="{x}" y1="{y}" x2="{x + 28}" y2="{y}" stroke="{RxColor}" stroke-width="3"/><text x="{x + 34}" y="{y + 4}">RxStream EventSource subscriptions</text>"""));
        svg.AppendLine(Invariant($"""<line x1="{x + 270}" y1="{y}" x2="{x + 298}" y2="{y}" stroke="{RawColor}" stroke-width="3"/><text x="{x + 304}" y="{y + 4}">raw SseParser loops</text>"""));
    }

    private static void Panel(
        StringBuilder svg, double offset, string title, string subtitle, int maxStreams, bool logarithmic,
        IReadOnlyList<(string Name, string Color, bool Dashed, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var plotLeft = offset + Left;
        var plotRight = offset + PanelWidth - Right;
        var plotBottom = Height - Bottom;
        var values = series.SelectMany(s => s.Points).Select(p => p.Y).Where(double.IsFinite).ToList();
        var axis = logarithmic ? LogAxis(values) : LinearAxis(values);
        double X(double streams) => plotLeft + ((plotRight - plotLeft) * streams / maxStreams);
        double Y(double value) => plotBottom - ((plotBottom - Top) * axis.Scale(value));

        svg.AppendLine(Invariant($"""<text x="{offset + (PanelWidth / 2)}" y="{Top - 16}" text-anchor="middle" font-weight="bold">{Escape(title)}</text>"""));
        svg.AppendLine(Invariant($"""<text x="{offset + (PanelWidth / 2)}" y="{Top - 3}" text-anchor="middle" fill="#555" font-size="11">{Escape(subtitle)}</text>"""));
        foreach (var tick in axis.Ticks)
        {
            var y = Y(tick);
            svg.AppendLine(Invariant($"""<line x1="{plotLeft}" y1="{y:F1}" x2="{plotRight}" y2="{y:F1}" stroke="#e4e4e4"/><text x="{plotLeft - 6}" y="{y + 4:F1}" text-anchor="end" fill="#333">{Label(tick)}</text>"""));
        }

        foreach (var streams in series.SelectMany(s => s.Points).Select(p => p.X).Distinct())
        {
            var x = X(streams);
            svg.AppendLine(Invariant($"""<line x1="{x:F1}" y1="{plotBottom}" x2="{x:F1}" y2="{plotBottom + 5}" stroke="#333"/><text x="{x:F1}" y="{plotBottom + 19}" text-anchor="middle" fill="#333">{streams:N0}</text>"""));
        }

        svg.AppendLine(Invariant($"""<line x1="{plotLeft}" y1="{plotBottom}" x2="{plotRight}" y2="{plotBottom}" stroke="#333"/><line x1="{plotLeft}" y1="{Top}" x2="{plotLeft}" y2="{plotBottom}" stroke="#333"/>"""));
        svg.AppendLine(Invariant($"""<text x="{(plotLeft + plotRight) / 2}" y="{Height - 18}" text-anchor="middle" fill="#333">concurrent streams</text>"""));
        foreach (var (name, color, dashed, points) in series)
        {
            var finite = points.Where(p => double.IsFinite(p.Y) && (!logarithmic || p.Y > 0)).ToList();
            if (finite.Count == 0)
            {
                continue;
            }

            var path = string.Join(" ", finite.Select(p => Invariant($"{X(p.X):F1},{Y(p.Y):F1}")));
            svg.AppendLine(Invariant($"""<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"{(dashed ? " stroke-dasharray=\"7 5\"" : string.Empty)}/>"""));
            foreach (var (x, y) in finite)
            {
                svg.AppendLine(Invariant($"""<circle cx="{X(x):F1}" cy="{Y(y):F1}" r="3.5" fill="{(dashed ? "white" : color)}" stroke="{color}" stroke-width="2"><title>{Escape(name)} at {x:N0} streams: {y:G4}</title></circle>"""));
            }
        }
    }

    private static Axis LinearAxis(IReadOnlyList<double> values)
    {
        var max = values.Count == 0 ? 1 : Math.Max(values.Max(), 1e-9);
        var step = NiceStep(max / 5);
        var top = Math.Ceiling(max / step) * step;
        var ticks = Enumerable.Range(0, (int)Math.Round(top / step) + 1).Select(i => i * step).ToList();
        return new Axis(ticks, value => Math.Max(0, value) / top);
    }

    private static Axis LogAxis(IReadOnlyList<double> values)
    {
        var positive = values.Where(v => v > 0).ToList();
        var low = Math.Floor(Math.Log10(positive.Count == 0 ? 0.1 : positive.Min()));
        var high = Math.Ceiling(Math.Log10(positive.Count == 0 ? 10 : positive.Max()));
        high = Math.Max(high, low + 1);
        var ticks = Enumerable.Range(0, (int)(high - low) + 1).Select(i => Math.Pow(10, low + i)).ToList();
        return new Axis(ticks, value => (Math.Log10(Math.Max(value, Math.Pow(10, low))) - low) / (high - low));
    }

    private static double NiceStep(double rough)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
    }

    private static string Label(double value) => value.ToString(value is > 0 and < 1 ? "0.###" : "#,0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Axis(IReadOnlyList<double> Ticks, Func<double, double> Scale);
}
