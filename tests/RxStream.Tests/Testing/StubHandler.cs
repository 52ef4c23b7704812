namespace RxStream.Tests.Testing;

/// <summary>An HTTP handler whose answer a test scripts; records the requests it saw.</summary>
public sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public List<HttpRequestMessage> Requests { get; } = [];

    /// <summary>A handler that never answers until the request is cancelled.</summary>
    public static StubHandler Hanging() => new(async (_, token) =>
    {
        await Task.Delay(Timeout.Infinite, token);
        throw new InvalidOperationException("unreachable");
    });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }

        return respond(request, cancellationToken);
    }
}
