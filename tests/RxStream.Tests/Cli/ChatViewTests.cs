using System.Reactive.Linq;
using RxStream.Cli;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Cli;

public class ChatViewTests
{
    [Fact]
    public void ChatView_TokensFasterThanTheFrameRate_AreCoalescedIntoOneFramePerTick()
    {
        var scheduler = new TestScheduler();
        var tokens = scheduler.CreateHotObservable(OnNext(10, "a"), OnNext(20, "b"), OnNext(30, "c"), OnNext(150, "d"), OnCompleted<string>(160));
        using var view = new ChatView(tokens, Observable.Never<ConnectionStatus>(), TimeSpan.FromTicks(100), scheduler);
        var frames = scheduler.CreateObserver<RxStream.Ui.AnswerFrame>();
        view.Frames.Subscribe(frames);

        scheduler.AdvanceTo(300);

        Assert.Equal(["", "abc", "abcd"], frames.Values.Select(f => f.Text).Distinct());
        Assert.True(frames.Values[^1].IsFinal);
    }

    [Fact]
    public void ChatView_Cancel_DisposesTheStreamAndSoAbortsIt()
    {
        var scheduler = new TestScheduler();
        var tokens = scheduler.CreateColdObservable(OnNext(10, "a"), OnNext(500, "b"));
        using var view = new ChatView(tokens, Observable.Never<ConnectionStatus>(), TimeSpan.FromTicks(100), scheduler);

        scheduler.AdvanceTo(50);
        view.Cancel();
        scheduler.AdvanceTo(1000);

        Assert.Equal([Subscribe(0, 50)], tokens.Subscriptions);
        Assert.Equal("a", view.Current.Text);
        Assert.Equal("stopped", view.Current.Status);
    }
}
