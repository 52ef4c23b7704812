using RxStream.Diagnostics;
using RxStream.Internal;
using RxStream.IO;
using RxStream.Resilience;

namespace RxStream.Http;

/// <summary>Sends one request per subscription and emits its response body, one chunk per read.</summary>
/// <remarks>
/// Disposal cancels the token that every await below observes: before the headers it cancels the send; mid-body it
/// cancels the pending read, which closes the connection. Disposed from inside <c>OnNext</c>, with no read pending,
/// the loop stops before its next read and disposes the unread response: the handler then closes the connection, or
/// first drains it for up to its <see cref="SocketsHttpHandler.ResponseDrainTimeout"/>
/// (<see cref="StreamObservable.CreateHttpHandler"/> sets that to zero).
/// </remarks>
internal sealed class HttpBodySource : AsyncLoopSource<Chunk>, IObservable<Chunk>
{
    private readonly HttpMessageInvoker _client;
    private readonly Func<CancellationToken, ValueTask<HttpRequestMessage>> _createRequest;
    private readonly FetchOptions _options;

    // The reconnect attempt this source runs for, told of the opening; null outside Reconnect.
    private readonly ReconnectContext? _attempt;

    public HttpBodySource(HttpMessageInvoker client, Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, FetchOptions options, ReconnectContext? attempt = null)
    {
        _client = client;
        _createRequest = createRequest;
        _options = options;
        _attempt = attempt;
    }

    // Re-implements Subscribe for callers through the interface (every operator): a subscription made for a Reconnect
    // attempt, however many operators down, runs with that attempt so that it can report its opening.
    IDisposable IObservable<Chunk>.Subscribe(IObserver<Chunk> observer) =>
        ReconnectContext.Current is { } attempt && _attempt is null
            ? new HttpBodySource(_client, _createRequest, _options, attempt).Subscribe(observer)
            : Subscribe(observer);

    protected override async Task RunAsync(Emitter emitter, CancellationToken cancellationToken)
    {
        var scheduler = SchedulerDefaults.Resolve(_options.Scheduler);
        var telemetry = emitter.Telemetry = ConnectionTelemetry.Start(ConnectionTelemetry.Fetch, target: null, scheduler);
        using var response = await HttpConnector.SendAsync(
            _client,
            telemetry.Observe(_createRequest),
            _options.ConnectTimeout,
            _options.MaxRedirects,
            _options.ErrorBodyPreviewBytes,
            scheduler,
            cancellationToken).ConfigureAwait(false);
        using var request = response.RequestMessage;
        var start = HttpResponseStart.From(response);
        telemetry.Opened((int)response.StatusCode);
        _attempt?.ReportOpen(start);
        _options.OnOpen?.Invoke(start);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StreamSource.PumpAsync(body, _options.BufferSize, emitter, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException corrupt)
        {
            // Only a read throws it raw: what the observer throws arrives wrapped as its own fault.
            throw HttpConnector.UndecodableBody(corrupt);
        }
    }
}
