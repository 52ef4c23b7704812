namespace RxStream.Scale;

/// <summary>A whole run: where and when it ran, how the clocks were checked, and every level's results.</summary>
internal sealed record ScaleReport
{
    public required string Machine { get; init; }

    public required string Date { get; init; }

    public required string Settings { get; init; }

    /// <summary>Gets how the cross-process clock was verified: server readings bracketed by the parent's, and the widest bracket.</summary>
    public required string ClockCheck { get; init; }

    public required IReadOnlyList<LevelResult> Results { get; init; }
}
