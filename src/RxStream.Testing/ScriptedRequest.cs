namespace RxStream.Testing;

/// <summary>Holds what a client sent to a scripted server: the request line, the headers, the body, and when it arrived in virtual time.</summary>
public sealed class ScriptedRequest
{
    internal ScriptedRequest(int number, HttpMethod method, Uri? uri, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, DateTimeOffset arrivedAt)
    {
        Number = number;
        Method = method;
        Uri = uri;
        Headers = headers;
        Body = body;
        ArrivedAt = arrivedAt;
    }

    /// <summary>Gets the request's number at its server: 1 for the first, 2 for the first reconnect, and so on.</summary>
    public int Number { get; }

    /// <summary>Gets the request method.</summary>
    public HttpMethod Method { get; }

    /// <summary>Gets the requested address.</summary>
    public Uri? Uri { get; }

    /// <summary>Gets every request and content header, one pair per value, in the order they were set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Gets the request body (empty when there was none).</summary>
    public byte[] Body { get; }

    /// <summary>Gets the body decoded as UTF-8.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>Gets the scheduler's time when the request arrived.</summary>
    public DateTimeOffset ArrivedAt { get; }

    /// <summary>Gets the <c>Last-Event-ID</c> header the client sent (a Server-Sent Events reconnect), or <see langword="null"/>.</summary>
    public string? LastEventId => Header("Last-Event-ID");

    /// <summary>Gets the first value of a header, or <see langword="null"/> when the request had none.</summary>
    /// <param name="name">The header's name, in any case.</param>
    /// <returns>The value.</returns>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"#{Number} {Method} {Uri}";

    internal static ScriptedRequest From(int number, HttpRequestMessage request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(new(name, value));
            }
        }

        var body = Array.Empty<byte>();
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers.NonValidated)
            {
                foreach (var value in values)
                {
                    headers.Add(new(name, value));
                }
            }

            using var copy = new MemoryStream();
            try
            {
                content.CopyTo(copy, null, cancellationToken);
            }
            catch (NotSupportedException)
            {
                // A content that only serializes asynchronously.
                content.CopyToAsync(copy, cancellationToken).GetAwaiter().GetResult();
            }

            body = copy.ToArray();
        }

        return new ScriptedRequest(number, request.Method, request.RequestUri, headers, body, now);
    }
}
