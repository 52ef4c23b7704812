using System.Globalization;

namespace RxStream.Http;

/// <summary>Reports that the response headers did not arrive within the configured connect timeout.</summary>
/// <remarks>Transient: another attempt may reach the server. An idle stream after the headers is a different error.</remarks>
public sealed class ConnectTimeoutException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeout">The limit that was crossed.</param>
    public ConnectTimeoutException(TimeSpan timeout)
        : base(string.Create(CultureInfo.InvariantCulture, $"No response headers arrived within the connect timeout of {timeout.TotalSeconds:0.###} s."))
    {
        Timeout = timeout;
    }

    /// <summary>Gets the limit that was crossed.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public override bool IsTransient => true;
}
