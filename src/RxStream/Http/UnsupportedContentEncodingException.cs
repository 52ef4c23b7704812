namespace RxStream.Http;

/// <summary>Reports that a response body arrived compressed (<c>Content-Encoding</c> other than <c>identity</c>) and the client did not decode it.</summary>
/// <remarks>
/// <para>Reading such a body as it is would parse compressed bytes as text: no events, or replacement characters,
/// and no word of why. The error is final, since the next answer will be compressed the same way: build the client
/// on <see cref="StreamObservable.CreateHttpHandler"/>, which decodes <c>gzip</c>, <c>deflate</c> and <c>br</c> as a
/// browser does, or set <see cref="SocketsHttpHandler.AutomaticDecompression"/> on your own handler.</para>
/// </remarks>
public sealed class UnsupportedContentEncodingException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="contentEncodings">The codings the body still carries, in the order they were applied.</param>
    public UnsupportedContentEncodingException(IReadOnlyList<string> contentEncodings)
        : base(Describe(contentEncodings))
    {
        ContentEncodings = contentEncodings;
    }

    /// <summary>Gets the codings the body still carries (for example <c>gzip</c>), in the order they were applied.</summary>
    public IReadOnlyList<string> ContentEncodings { get; }

    private static string Describe(IReadOnlyList<string> contentEncodings)
    {
        ArgumentNullException.ThrowIfNull(contentEncodings);
        return $"The response body is encoded with '{string.Join(", ", contentEncodings)}' (Content-Encoding), which this HTTP client does not decode; "
            + "build the client on StreamObservable.CreateHttpHandler() or enable AutomaticDecompression.";
    }
}
