namespace RxStream.Scale;

/// <summary>The delay percentiles of one measurement window, in milliseconds.</summary>
/// <param name="Samples">Delays kept.</param>
/// <param name="Dropped">Delays seen after the buffer was full (zero unless more events came than expected).</param>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">Largest delay.</param>
/// <param name="Min">Smallest delay; negative would mean the two processes' clocks disagree.</param>
internal sealed record LatencySummary(int Samples, int Dropped, double P50, double P90, double P99, double P999, double Max, double Min);
