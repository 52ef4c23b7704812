using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace RxStream.Scale;

/// <summary>Opens each stream as its own loop: a GET read as it arrives, parsed by <see cref="SseParser"/>. The baseline.</summary>
internal sealed class RawSseFleet(HttpClient client, Uri url) : IStreamFleet
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<Task> _loops = [];

    public void Open(StreamProbe probe) => _loops.Add(Task.Run(() => ReadAsync(probe, _cancellation.Token)));

    public async ValueTask DisposeAsync()
    {
        await _cancellation.CancelAsync();
        await Task.WhenAll(_loops);
        _loops.Clear();
        _cancellation.Dispose();
    }

    private async Task ReadAsync(StreamProbe probe, CancellationToken cancellationToken)
    {
        try
        {
            // The same request headers EventSource sends, so the server sees the two kinds alike.
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
            {
                probe.OnEvent(item.Data, item.EventId);
            }

            probe.OnEnd();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Disposal, the end this benchmark asked for, whether it surfaced as a cancellation or as a torn read.
        }
        catch (Exception error)
        {
            probe.OnError(error);
        }
    }
}
