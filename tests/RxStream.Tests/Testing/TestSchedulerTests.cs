using System.Reactive.Linq;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Testing;

// The kit is what every virtual-time test stands on, so it has tests of its own.
public class TestSchedulerTests
{
    [Fact]
    public void Start_ColdObservable_RecordsValuesAtSubscriptionRelativeTimesAndTheSubscription()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateColdObservable(OnNext(10, 'a'), OnNext(20, 'b'), OnCompleted<char>(30));

        var observer = scheduler.Start(() => source.Select(char.ToUpperInvariant));

        Assert.Equal([OnNext(210, 'A'), OnNext(220, 'B'), OnCompleted<char>(230)], observer.Messages);
        Assert.Equal([Subscribe(200, 230)], source.Subscriptions);
    }

    [Fact]
    public void Start_DisposesAtTheGivenTime_LaterValuesAreNotRecorded()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(250, 2), OnNext(350, 3));

        var observer = scheduler.Start(() => source, disposed: 300);

        Assert.Equal([OnNext(250, 2)], observer.Messages);
        Assert.Equal([Subscribe(200, 300)], source.Subscriptions);
    }

    [Fact]
    public void Timer_RunsInVirtualTime()
    {
        var scheduler = new TestScheduler();
        var observer = scheduler.Start(() => Observable.Timer(TimeSpan.FromTicks(50), scheduler));
        Assert.Equal([OnNext(250, 0L), OnCompleted<long>(250)], observer.Messages);
    }
}
