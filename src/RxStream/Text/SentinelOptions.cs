namespace RxStream.Text;

/// <summary>Configures <c>TakeUntilSentinel</c>.</summary>
public sealed record SentinelOptions
{
    /// <summary>Gets a value indicating whether the sentinel itself is emitted before completion; by default it is not.</summary>
    public bool IncludeSentinel { get; init; }

    /// <summary>Gets a value indicating whether a stream that ends without the sentinel fails with <see cref="SentinelNotFoundException"/> (after everything before it was emitted) instead of completing; by default it does.</summary>
    /// <remarks>
    /// A stream that promises an end marker (an LLM's <c>[DONE]</c> or <c>LLM-EOF</c>) and ends without it was cut
    /// short: a proxy timed out, the server crashed mid-answer. Completing normally would pass a truncated answer off as
    /// a whole one, so the default is the error. Set <see langword="false"/> for a stream whose sentinel is optional.
    /// </remarks>
    public bool ErrorIfMissing { get; init; } = true;
}
