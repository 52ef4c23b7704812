using System.Globalization;
using System.Net;

namespace RxStream.Http;

/// <summary>Reports that a streaming request was answered with a status code that does not open a stream.</summary>
/// <remarks>
/// <para>
/// The error carries what the server said (status, reason phrase, content type and the start of the body,
/// where LLM APIs explain a 400 or 429) and never anything of the request: no header values, no body.
/// </para>
/// <para>
/// It is transient for 408 (Request Timeout), 429 (Too Many Requests) and every 5xx; other statuses are final.
/// <see cref="RetryAfter"/> holds the server's <c>Retry-After</c>, which the reconnect policy honours.
/// </para>
/// </remarks>
public sealed class HttpStatusException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="statusCode">The response's status code.</param>
    /// <param name="reasonPhrase">The response's reason phrase, if any.</param>
    /// <param name="contentType">The response's media type, if any.</param>
    /// <param name="bodyPreview">The start of the response body, decoded as UTF-8; empty when there was none.</param>
    /// <param name="retryAfter">The delay the server's <c>Retry-After</c> asked for, if any.</param>
    /// <param name="innerException">The transport's own report of the refusal, if any.</param>
    public HttpStatusException(HttpStatusCode statusCode, string? reasonPhrase, string? contentType, string bodyPreview, TimeSpan? retryAfter, Exception? innerException = null)
        : base(Describe(statusCode, reasonPhrase, contentType, bodyPreview ?? throw new ArgumentNullException(nameof(bodyPreview))), innerException)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        ContentType = contentType;
        BodyPreview = bodyPreview;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the response's status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the response's reason phrase, if it had one.</summary>
    public string? ReasonPhrase { get; }

    /// <summary>Gets the response's media type, without parameters, if it had one.</summary>
    public string? ContentType { get; }

    /// <summary>Gets the start of the response body, decoded as UTF-8 (empty when the body was empty).</summary>
    public string BodyPreview { get; }

    /// <inheritdoc/>
    public override TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether trying again may succeed: true for 408, 429 and 5xx.</summary>
    public override bool IsTransient => IsTransientStatus(StatusCode);

    internal static bool IsTransientStatus(HttpStatusCode statusCode) =>
        statusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)statusCode >= 500;

    private static string Describe(HttpStatusCode statusCode, string? reasonPhrase, string? contentType, string bodyPreview)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"The server answered {(int)statusCode} {reasonPhrase ?? statusCode.ToString()}");
        if (contentType is not null)
        {
            text += $" ({contentType})";
        }

        return bodyPreview.Length == 0 ? text + "." : text + ": " + bodyPreview;
    }
}
