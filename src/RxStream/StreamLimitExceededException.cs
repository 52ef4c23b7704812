using System.Globalization;

namespace RxStream;

/// <summary>Reports that input crossed a configured size limit (a line, an event, a message), so an operator stopped instead of growing a buffer without bound.</summary>
/// <remarks>Everything delivered before the limit was crossed stays delivered. The error is final: the same input would cross it again.</remarks>
public sealed class StreamLimitExceededException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="limitName">The name of the option that sets the limit, for example <c>MaxLineLength</c>.</param>
    /// <param name="limit">The value of the limit.</param>
    /// <param name="unit">What the limit counts, for example <c>chars</c> or <c>bytes</c>.</param>
    public StreamLimitExceededException(string limitName, long limit, string unit)
        : base(string.Create(CultureInfo.InvariantCulture, $"The input crossed the limit {limitName} = {limit} {unit}."))
    {
        ArgumentException.ThrowIfNullOrEmpty(limitName);
        ArgumentException.ThrowIfNullOrEmpty(unit);
        LimitName = limitName;
        Limit = limit;
        Unit = unit;
    }

    /// <summary>Gets the name of the option that sets the limit, for example <c>MaxLineLength</c>.</summary>
    public string LimitName { get; }

    /// <summary>Gets the value of the limit.</summary>
    public long Limit { get; }

    /// <summary>Gets what the limit counts, for example <c>chars</c> or <c>bytes</c>.</summary>
    public string Unit { get; }
}
