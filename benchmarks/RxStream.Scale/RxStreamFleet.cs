using RxStream.Http;
using RxStream.ServerSentEvents;

namespace RxStream.Scale;

/// <summary>Opens each stream as a subscription to one cold <see cref="StreamObservable.EventSource(HttpMessageInvoker, Uri, EventSourceOptions?)"/> source.</summary>
internal sealed class RxStreamFleet(HttpClient client, Uri url, EventSourceOptions options) : IStreamFleet
{
    private readonly IObservable<SseEvent> _source = StreamObservable.EventSource(client, url, options);
    private readonly List<IDisposable> _subscriptions = [];

    public void Open(StreamProbe probe) => _subscriptions.Add(_source.Subscribe(new ProbeObserver(probe)));

    public ValueTask DisposeAsync()
    {
        // Disposal is cancellation: each connection is aborted by its own loop as the token fires.
        _subscriptions.ForEach(subscription => subscription.Dispose());
        _subscriptions.Clear();
        return ValueTask.CompletedTask;
    }

    private sealed class ProbeObserver(StreamProbe probe) : IObserver<SseEvent>
    {
        public void OnNext(SseEvent value) => probe.OnEvent(value.Data, value.LastEventId);

        public void OnError(Exception error) => probe.OnError(error);

        public void OnCompleted() => probe.OnEnd();
    }
}
