namespace RxStream.Text;

/// <summary>Configures <c>TakeUntilSentinel</c>.</summary>
public sealed record SentinelOptions
{
    /// <summary>Gets a value indicating whether the sentinel itself is emitted before completion; by default it is not.</summary>
    public bool IncludeSentinel { get; init; }

    /// <summary>Gets a value indicating whether a stream that ends without the sentinel fails with <see cref="SentinelNotFoundException"/> (after everything before it was emitted) instead of completing.</summary>
    public bool ErrorIfMissing { get; init; }
}
