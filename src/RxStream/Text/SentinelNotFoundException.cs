namespace RxStream.Text;

/// <summary>Reports a stream that ended without its in-band sentinel, unless <see cref="SentinelOptions.ErrorIfMissing"/> is turned off: the answer it carried may be truncated.</summary>
/// <remarks>Everything the stream carried was emitted first. Transient: the server may have dropped the connection before finishing.</remarks>
public sealed class SentinelNotFoundException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    public SentinelNotFoundException()
        : base("The stream ended before its sentinel: what it carried may be truncated.")
    {
    }

    /// <inheritdoc/>
    public override bool IsTransient => true;
}
