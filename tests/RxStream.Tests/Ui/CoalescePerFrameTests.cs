using System.Reactive.Linq;
using RxStream.Tests.Testing;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Ui;

public class CoalescePerFrameTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromTicks(100);

    [Fact]
    public void CoalescePerFrame_NullSource_ThrowsWithItsName() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((IObservable<int>)null!).CoalescePerFrame(Frame, new TestScheduler())).ParamName);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void CoalescePerFrame_FrameNotPositive_ThrowsWithItsName(long ticks) =>
        Assert.Equal("frame", Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Never<int>().CoalescePerFrame(TimeSpan.FromTicks(ticks), new TestScheduler())).ParamName);

    [Fact]
    public void CoalescePerFrame_NullScheduler_ThrowsWithItsName() =>
        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => Observable.Never<int>().CoalescePerFrame(Frame, null!)).ParamName);

    [Fact]
    public void CoalescePerFrame_ItemsFasterThanTheFrame_ForwardsAtMostOnePerFrameAndTheLastAtTheEnd()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(
            OnNext(210, 1), OnNext(220, 2), OnNext(230, 3), OnNext(250, 4), OnNext(330, 5), OnNext(450, 6), OnCompleted<int>(460));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler));

        Assert.Equal([OnNext(210, 1), OnNext(310, 4), OnNext(410, 5), OnNext(460, 6), OnCompleted<int>(460)], observer.Messages);
        Assert.Equal([Subscribe(200, 460)], source.Subscriptions);
    }

    [Fact]
    public void CoalescePerFrame_SourceEndsWithinAFrame_ForwardsTheHeldItemAtOnceNotAtTheFramesEnd()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(220, "b"), OnCompleted<string>(230));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler));

        Assert.Equal([OnNext(210, "a"), OnNext(230, "b"), OnCompleted<string>(230)], observer.Messages);
    }

    [Fact]
    public void CoalescePerFrame_SourceFails_ForwardsTheHeldItemThenTheError()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("boom");
        var source = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(220, "b"), OnError<string>(230, error));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler));

        Assert.Equal([OnNext(210, "a"), OnNext(230, "b"), OnError<string>(230, error)], observer.Messages);
        Assert.Equal([Subscribe(200, 230)], source.Subscriptions);
    }

    [Fact]
    public void CoalescePerFrame_ItemAfterAQuietFrame_IsForwardedAtOnce()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(500, 2), OnNext(650, 3));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler));

        Assert.Equal([OnNext(210, 1), OnNext(500, 2), OnNext(650, 3)], observer.Messages);
    }

    [Fact]
    public void CoalescePerFrame_DisposedWhileAnItemWaits_ForwardsNothingMoreAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(400, 3));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler), disposed: 250);

        Assert.Equal([OnNext(210, 1)], observer.Messages);
        Assert.Equal([Subscribe(200, 250)], source.Subscriptions);
    }

    [Fact]
    public void CoalescePerFrame_EmptySource_CompletesWithoutAnItem()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnCompleted<int>(300));

        var observer = scheduler.Start(() => source.CoalescePerFrame(Frame, scheduler));

        Assert.Equal([OnCompleted<int>(300)], observer.Messages);
    }
}
