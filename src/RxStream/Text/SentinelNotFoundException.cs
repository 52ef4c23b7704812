namespace RxStream.Text;

/// <summary>Reports a stream that ended without its in-band sentinel, when <see cref="SentinelOptions.ErrorIfMissing"/> asked for an error.</summary>
/// <remarks>Everything the stream carried was emitted first. Transient: the server may have dropped the connection before finishing.</remarks>
public sealed class SentinelNotFoundException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    public SentinelNotFoundException()
        : base("The stream ended before its sentinel.")
    {
    }

    /// <inheritdoc/>
    public override bool IsTransient => true;
}
