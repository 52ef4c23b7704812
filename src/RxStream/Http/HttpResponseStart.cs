using System.Net;
using System.Net.Http.Headers;

namespace RxStream.Http;

/// <summary>Describes the response that opened a stream: the <c>onopen</c> moment of an HTTP source.</summary>
/// <param name="StatusCode">The response's status code.</param>
/// <param name="ReasonPhrase">The response's reason phrase, if any.</param>
/// <param name="Version">The HTTP version of the response.</param>
/// <param name="Headers">The response headers.</param>
/// <param name="ContentHeaders">The content headers (content type, encoding) of the response.</param>
/// <remarks>The header collections stay readable after the connection has closed. <see cref="ToString"/> shows no header values.</remarks>
public sealed record HttpResponseStart(
    HttpStatusCode StatusCode,
    string? ReasonPhrase,
    Version Version,
    HttpResponseHeaders Headers,
    HttpContentHeaders ContentHeaders)
{
    /// <summary>Gets the media type of the response, without parameters, if it has one.</summary>
    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    /// <summary>Describes the response by status, version and media type, leaving out header values.</summary>
    /// <returns>For example <c>200 OK HTTP/1.1 text/event-stream</c>.</returns>
    public override string ToString() => $"{(int)StatusCode} {ReasonPhrase ?? StatusCode.ToString()} HTTP/{Version} {MediaType ?? "(no content type)"}";

    internal static HttpResponseStart From(HttpResponseMessage response) =>
        new(response.StatusCode, response.ReasonPhrase, response.Version, response.Headers, response.Content.Headers);
}
