using System.Reactive.Linq;
using RxStream.Resilience;
using RxStream.Tests.Testing;
using RxStream.Ui;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Ui;

public class AnswerViewTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromTicks(100);

    [Fact]
    public void AnswerView_NullAnswer_ThrowsWithItsName() =>
        Assert.Equal("answer", Assert.Throws<ArgumentNullException>(() => new AnswerView(null!, null, Frame, new TestScheduler())).ParamName);

    [Fact]
    public void AnswerView_NullScheduler_ThrowsWithItsName() =>
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => new AnswerView(Observable.Never<string>(), null, Frame, null!)).ParamName);

    [Fact]
    public void AnswerView_Stop_DisposesTheStreamAndEndsWithAStoppedFrame()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "a"), OnNext(500, "b"));
        var status = scheduler.CreateColdObservable<ConnectionStatus>(OnNext<ConnectionStatus>(5, new ConnectionStatus.Open(1, null)));
        using var view = new AnswerView(pieces, status, Frame, scheduler);
        var frames = scheduler.CreateObserver<AnswerFrame>();
        view.Frames.Subscribe(frames);

        scheduler.AdvanceTo(150);
        view.Stop();
        scheduler.AdvanceTo(1000);

        Assert.Equal([Subscribe(0, 150)], pieces.Subscriptions);
        Assert.Equal([Subscribe(0, 150)], status.Subscriptions);
        Assert.Equal(new AnswerFrame("a", AnswerPhase.Stopped, "stopped"), view.Current);
        Assert.Equal(
            [
                OnNext(0, AnswerFrame.Start),
                OnNext(100, new AnswerFrame("a", AnswerPhase.Receiving, "receiving…")),
                OnNext(150, new AnswerFrame("a", AnswerPhase.Stopped, "stopped")),
                OnCompleted<AnswerFrame>(150),
            ],
            frames.Messages);
    }

    [Fact]
    public void AnswerView_StopWhilePiecesWaitForTheirFrame_ShowsThemInTheStoppedFrameAtOnce()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "a"), OnNext(20, "b"), OnNext(500, "c"));
        using var view = new AnswerView(pieces, null, Frame, scheduler);
        var frames = scheduler.CreateObserver<AnswerFrame>();
        view.Frames.Subscribe(frames);

        scheduler.AdvanceTo(50);
        view.Stop();
        scheduler.AdvanceTo(1000);

        Assert.Equal([Subscribe(0, 50)], pieces.Subscriptions);
        Assert.Equal(
            [
                OnNext(0, AnswerFrame.Start),
                OnNext(50, new AnswerFrame("ab", AnswerPhase.Stopped, "stopped")),
                OnCompleted<AnswerFrame>(50),
            ],
            frames.Messages);
    }

    [Fact]
    public void AnswerView_StopAfterTheEnd_KeepsTheFinalFrame()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "a"), OnCompleted<string>(20));
        using var view = new AnswerView(pieces, null, Frame, scheduler);

        scheduler.AdvanceTo(100);
        view.Stop();
        view.Stop();

        Assert.Equal(new AnswerFrame("a", AnswerPhase.Completed, "done"), view.Current);
    }

    [Fact]
    public void AnswerView_LateSubscriber_GetsTheLatestFrameAtOnce()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "a"), OnNext(20, "b"), OnCompleted<string>(30));
        using var view = new AnswerView(pieces, null, Frame, scheduler);
        scheduler.AdvanceTo(100);
        var frames = scheduler.CreateObserver<AnswerFrame>();

        view.Frames.Subscribe(frames);

        Assert.Equal([OnNext(100, new AnswerFrame("ab", AnswerPhase.Completed, "done")), OnCompleted<AnswerFrame>(100)], frames.Messages);
    }

    [Fact]
    public void AnswerView_Dispose_DisposesTheStreamAndCompletesTheFramesWithoutAStoppedOne()
    {
        var scheduler = new TestScheduler();
        var pieces = scheduler.CreateColdObservable(OnNext(10, "a"), OnNext(500, "b"));
        var view = new AnswerView(pieces, null, Frame, scheduler);
        var frames = scheduler.CreateObserver<AnswerFrame>();
        view.Frames.Subscribe(frames);
        scheduler.AdvanceTo(150);

        view.Dispose();
        view.Dispose();
        scheduler.AdvanceTo(1000);

        Assert.Equal([Subscribe(0, 150)], pieces.Subscriptions);
        Assert.True(frames.Completed);
        Assert.DoesNotContain(frames.Values, f => f.Phase == AnswerPhase.Stopped);
        Assert.Equal("a", view.Current.Text);
    }
}
