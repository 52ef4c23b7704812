using System.Net;

namespace RxStream.Http;

/// <summary>Reports a redirect that RxStream would not follow: one too many (a loop, say), or one from <c>https</c> down to <c>http</c>.</summary>
/// <remarks>Final: the server will answer the next attempt the same way. Redirects refused outright
/// (<see cref="FetchOptions.MaxRedirects"/> of 0) are reported as the <see cref="HttpStatusException"/> of the 3xx instead.</remarks>
public sealed class RedirectException : RxStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Why the redirect was not followed.</param>
    /// <param name="statusCode">The status of the redirect that was not followed.</param>
    /// <param name="location">Where it pointed.</param>
    /// <param name="redirectsFollowed">How many redirects had been followed before it.</param>
    public RedirectException(string message, HttpStatusCode statusCode, Uri location, int redirectsFollowed)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(location);
        StatusCode = statusCode;
        Location = location;
        RedirectsFollowed = redirectsFollowed;
    }

    /// <summary>Gets the status of the redirect that was not followed.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the absolute address the redirect pointed to.</summary>
    public Uri Location { get; }

    /// <summary>Gets how many redirects had been followed before this one.</summary>
    public int RedirectsFollowed { get; }
}
