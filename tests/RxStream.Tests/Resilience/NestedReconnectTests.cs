using System.Reactive;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using RxStream.Resilience;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Resilience;

/// <summary>A <c>Reconnect</c> whose source is itself a <c>Reconnect</c>: what the inner one learns, the outer one hears.</summary>
public sealed class NestedReconnectTests
{
    [Fact]
    public void Reconnect_AroundAnotherReconnect_ReportsTheSourcesOpeningToBothStatusObservers()
    {
        var scheduler = new TestScheduler();
        var inner = new List<ConnectionStatus>();
        var outer = new List<ConnectionStatus>();
        var source = new OpensThenStays();

        using var subscription = source
            .Reconnect(new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(inner.Add) }, scheduler)
            .Select(value => value)
            .Reconnect(new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(outer.Add) }, scheduler)
            .Subscribe(_ => { });

        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Open(1, "101")], inner);
        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Open(1, "101")], outer);
    }

    [Fact]
    public void Reconnect_AroundAnotherReconnectThatIsDisposed_ReportsNoOpeningOfALaterInnerAttemptAfterItsOwnEnd()
    {
        var scheduler = new TestScheduler();
        var outer = new List<ConnectionStatus>();
        var source = new OpensThenStays();

        var subscription = source
            .Reconnect(new ReconnectOptions(), scheduler)
            .Reconnect(new ReconnectOptions { Status = Observer.Create<ConnectionStatus>(outer.Add) }, scheduler)
            .Subscribe(_ => { });
        subscription.Dispose();
        source.LastAttempt!.ReportOpen("late");

        Assert.Equal([new ConnectionStatus.Connecting(1), new ConnectionStatus.Open(1, "101"), new ConnectionStatus.Closed(null)], outer);
    }

    /// <summary>Reports its opening inside Subscribe, as a network source does once its handshake completes, then stays open.</summary>
    private sealed class OpensThenStays : IObservable<int>
    {
        public ReconnectContext? LastAttempt { get; private set; }

        public IDisposable Subscribe(IObserver<int> observer)
        {
            LastAttempt = ReconnectContext.Current;
            LastAttempt?.ReportOpen("101");
            return Disposable.Empty;
        }
    }
}
