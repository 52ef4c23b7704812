namespace RxStream.Http;

/// <summary>Reports that a Server-Sent Events request was answered with a media type other than <c>text/event-stream</c>.</summary>
/// <remarks>
/// The HTML standard tells the client to "fail the connection" in this case, which means not to reconnect:
/// the error is final.
/// </remarks>
public sealed class UnexpectedContentTypeException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="expected">The media type that was required.</param>
    /// <param name="actual">The media type the response had, or <see langword="null"/> when it had none.</param>
    public UnexpectedContentTypeException(string expected, string? actual)
        : base($"The server answered with content type '{actual ?? "(none)"}', not '{expected}'.")
    {
        ArgumentException.ThrowIfNullOrEmpty(expected);
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Gets the media type that was required.</summary>
    public string Expected { get; }

    /// <summary>Gets the media type the response had, without parameters, or <see langword="null"/> when it had none.</summary>
    public string? Actual { get; }
}
