namespace RxStream.Scale;

/// <summary>Reduces repeated runs of one (level, kind) to one row: the median of each figure, the sum of every count of trouble.</summary>
internal static class ResultMedian
{
    /// <summary>Groups <paramref name="results"/> by level and kind, in level order.</summary>
    public static IReadOnlyList<LevelResult> PerLevelAndKind(IEnumerable<LevelResult> results) =>
        [.. results.GroupBy(r => (r.Streams, r.Kind)).OrderBy(g => g.Key.Streams).Select(g => Of([.. g]))];

    public static LevelResult Of(IReadOnlyList<LevelResult> runs)
    {
        if (runs.Count == 1)
        {
            return runs[0];
        }

        double M(Func<LevelResult, double> figure) => Median(runs.Select(figure));
        return runs[0] with
        {
            RampSeconds = M(r => r.RampSeconds),
            WindowSeconds = M(r => r.WindowSeconds),
            Events = (long)M(r => r.Events),
            HeapPerStreamBytes = M(r => r.HeapPerStreamBytes),
            WorkingSetPerStreamBytes = M(r => r.WorkingSetPerStreamBytes),
            GcCommittedPerStreamBytes = M(r => r.GcCommittedPerStreamBytes),
            BaselineHeapBytes = (long)M(r => r.BaselineHeapBytes),
            BaselineWorkingSetBytes = (long)M(r => r.BaselineWorkingSetBytes),
            CpuMsPer1000Events = M(r => r.CpuMsPer1000Events),
            CpuCores = M(r => r.CpuCores),
            AllocatedBytesPerEvent = M(r => r.AllocatedBytesPerEvent),
            Gen0Collections = (int)M(r => r.Gen0Collections),
            Gen2Collections = (int)M(r => r.Gen2Collections),
            GcPauseMs = M(r => r.GcPauseMs),
            ThreadsDelta = (int)M(r => r.ThreadsDelta),
            Latency = runs[0].Latency with
            {
                Samples = (int)M(r => r.Latency.Samples),
                Dropped = runs.Sum(r => r.Latency.Dropped),
                P50 = M(r => r.Latency.P50),
                P90 = M(r => r.Latency.P90),
                P99 = M(r => r.Latency.P99),
                P999 = M(r => r.Latency.P999),
                Max = runs.Max(r => r.Latency.Max),
                Min = runs.Min(r => r.Latency.Min),
            },
            Gaps = runs.Sum(r => r.Gaps),
            Malformed = runs.Sum(r => r.Malformed),
            Failures = runs.Sum(r => r.Failures),
            ServerOpenAfter = runs.Max(r => r.ServerOpenAfter),
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
