using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Chat.Web.Backend;
using RxStream.Resilience;

namespace RxStream.Chat.Web.Tests.Components;

/// <summary>A backend whose answer the test writes piece by piece, recording what the page asked for and when it let go.</summary>
internal sealed class ScriptedBackend : IChatBackend
{
    public IReadOnlyList<ChatTransport> Transports { get; } = [ChatTransport.Sse, ChatTransport.Fetch, ChatTransport.WebSocket];

    public List<(ChatTransport Transport, string Prompt)> Requests { get; } = [];

    public Subject<string> Pieces { get; } = new();

    public IObserver<ConnectionStatus>? Status { get; private set; }

    public int Subscribed { get; private set; }

    public int Disposed { get; private set; }

    public IObservable<string> Answer(ChatTransport transport, string prompt, IObserver<ConnectionStatus> status)
    {
        Requests.Add((transport, prompt));
        Status = status;
        return Observable.Create<string>(observer =>
        {
            Subscribed++;
            var subscription = Pieces.Subscribe(observer);
            return Disposable.Create(() =>
            {
                Disposed++;
                subscription.Dispose();
            });
        });
    }
}
