using System.Reactive.Linq;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using RxStream.Ui;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Ui;

public class AnswerFramesTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromTicks(100);

    [Fact]
    public void ToAnswerFrames_NullAnswer_ThrowsWithItsName() =>
        Assert.Equal("answer", Assert.Throws<ArgumentNullException>(() => ((IObservable<string>)null!).ToAnswerFrames(null, Frame, new TestScheduler())).ParamName);

    [Fact]
    public void ToAnswerFrames_FrameNotPositive_ThrowsWithItsName() =>
        Assert.Equal("frame", Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Never<string>().ToAnswerFrames(null, TimeSpan.Zero, new TestScheduler())).ParamName);

    [Fact]
    public void ToAnswerFrames_NullScheduler_ThrowsWithItsName() =>
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => Observable.Never<string>().ToAnswerFrames(null, Frame, null!)).ParamName);

    [Fact]
    public void ToAnswerFrames_PiecesFasterThanTheFrame_AccumulatesThemAtMostOncePerFrameAndTheWholeAnswerAtTheEnd()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateHotObservable(
            OnNext(220, "Hel"), OnNext(230, "lo"), OnNext(240, ","), OnNext(330, " wör"), OnNext(340, "ld"), OnCompleted<string>(350));

        var observer = scheduler.Start(() => pieces.ToAnswerFrames(null, Frame, scheduler));

        Assert.Equal(
            [
                OnNext(200, AnswerFrame.Start),
                OnNext(300, new AnswerFrame("Hello,", AnswerPhase.Receiving, "receiving…")),
                OnNext(350, new AnswerFrame("Hello, wörld", AnswerPhase.Completed, "done")),
                OnCompleted<AnswerFrame>(350),
            ],
            observer.Messages);
        Assert.Equal([Subscribe(200, 350)], pieces.Subscriptions);
    }

    [Fact]
    public void ToAnswerFrames_StatusesOfAReconnectingSource_SayConnectingConnectedReconnecting()
    {
        var scheduler = new TestScheduler();
        var status = scheduler.CreateHotObservable<ConnectionStatus>(
            OnNext<ConnectionStatus>(200, new ConnectionStatus.Connecting(1)),
            OnNext<ConnectionStatus>(310, new ConnectionStatus.Open(1, null)),
            OnNext<ConnectionStatus>(530, new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(3), new IOException("reset"))),
            OnNext<ConnectionStatus>(700, new ConnectionStatus.Connecting(2)),
            OnNext<ConnectionStatus>(900, new ConnectionStatus.Closed(null)));
        var pieces = scheduler.CreateHotObservable(OnNext(420, "a"), OnNext(800, "b"), OnCompleted<string>(900));

        var observer = scheduler.Start(() => pieces.ToAnswerFrames(status, Frame, scheduler));

        Assert.Equal(
            [
                OnNext(200, AnswerFrame.Start),
                OnNext(310, new AnswerFrame(string.Empty, AnswerPhase.Open, "connected")),
                OnNext(420, new AnswerFrame("a", AnswerPhase.Receiving, "receiving…")),
                OnNext(530, new AnswerFrame("a", AnswerPhase.Reconnecting, "reconnecting in 3 s")),
                OnNext(700, new AnswerFrame("a", AnswerPhase.Connecting, "connecting… (attempt 2)")),
                OnNext(800, new AnswerFrame("ab", AnswerPhase.Receiving, "receiving…")),
                OnNext(900, new AnswerFrame("ab", AnswerPhase.Completed, "done")),
                OnCompleted<AnswerFrame>(900),
            ],
            observer.Messages);
        Assert.Equal([Subscribe(200, 900)], status.Subscriptions);
    }

    [Fact]
    public void ToAnswerFrames_AnswerFails_EndsWithAFailedFrameThatKeepsTheTextAndTheError()
    {
        var scheduler = new TestScheduler();
        var error = new IOException("connection reset");
        var pieces = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(220, "b"), OnError<string>(230, error));

        var observer = scheduler.Start(() => pieces.ToAnswerFrames(null, Frame, scheduler));

        Assert.Equal(
            [
                OnNext(200, AnswerFrame.Start),
                OnNext(230, new AnswerFrame("ab", AnswerPhase.Failed, "failed: connection reset", error)),
                OnCompleted<AnswerFrame>(230),
            ],
            observer.Messages);
    }

    [Fact]
    public void ToAnswerFrames_Disposed_UnsubscribesTheAnswerAndTheStatusesAndShowsNothingMore()
    {
        var scheduler = new TestScheduler();
        var status = scheduler.CreateHotObservable<ConnectionStatus>(OnNext<ConnectionStatus>(600, new ConnectionStatus.Open(1, null)));
        var pieces = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(220, "b"), OnNext(600, "c"));

        var observer = scheduler.Start(() => pieces.ToAnswerFrames(status, Frame, scheduler), disposed: 250);

        Assert.Equal([OnNext(200, AnswerFrame.Start)], observer.Messages);
        Assert.Equal([Subscribe(200, 250)], pieces.Subscriptions);
        Assert.Equal([Subscribe(200, 250)], status.Subscriptions);
    }

    [Fact]
    public void ToAnswerFrames_EachSubscription_StreamsItsOwnAnswer()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "x"), OnCompleted<string>(20));
        var frames = pieces.ToAnswerFrames(null, Frame, scheduler);
        var first = scheduler.CreateObserver<AnswerFrame>();
        var second = scheduler.CreateObserver<AnswerFrame>();

        frames.Subscribe(first);
        frames.Subscribe(second);
        scheduler.Start();

        Assert.Equal("x", first.Values[^1].Text);
        Assert.Equal("x", second.Values[^1].Text);
        Assert.Equal(2, pieces.Subscriptions.Count);
    }
}
