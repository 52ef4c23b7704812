using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.Tests.Testing;

/// <summary>
/// A virtual-time scheduler in the manner of Rx's TestScheduler, built on System.Reactive's own
/// <see cref="VirtualTimeScheduler{TAbsolute,TRelative}"/>: one tick is one <see cref="TimeSpan"/> tick.
/// </summary>
public sealed class TestScheduler : VirtualTimeScheduler<long, long>
{
    /// <summary>When <see cref="Start{T}(Func{IObservable{T}})"/> creates the observable.</summary>
    public const long Created = 100;

    /// <summary>When <see cref="Start{T}(Func{IObservable{T}})"/> subscribes.</summary>
    public const long Subscribed = 200;

    /// <summary>When <see cref="Start{T}(Func{IObservable{T}})"/> disposes the subscription.</summary>
    public const long Disposed = 1000;

    public override IDisposable ScheduleAbsolute<TState>(TState state, long dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        // As in Rx's TestScheduler: work due now or in the past runs one tick later, so the order is deterministic.
        if (dueTime <= Clock)
        {
            dueTime = Clock + 1;
        }

        return base.ScheduleAbsolute(state, dueTime, action);
    }

    protected override long Add(long absolute, long relative) => absolute + relative;

    protected override DateTimeOffset ToDateTimeOffset(long absolute) => new(absolute, TimeSpan.Zero);

    protected override long ToRelative(TimeSpan timeSpan) => timeSpan.Ticks;

    /// <summary>Runs the scheduler: creates the observable at <paramref name="created"/>, subscribes at <paramref name="subscribed"/>, disposes at <paramref name="disposed"/>.</summary>
    public TestableObserver<T> Start<T>(Func<IObservable<T>> create, long created, long subscribed, long disposed)
    {
        ArgumentNullException.ThrowIfNull(create);
        var source = default(IObservable<T>);
        var subscription = default(IDisposable);
        var observer = CreateObserver<T>();

        ScheduleAbsolute(created, () => source = create());
        ScheduleAbsolute(subscribed, () => subscription = source!.Subscribe(observer));
        ScheduleAbsolute(disposed, () => subscription!.Dispose());

        Start();
        return observer;
    }

    /// <summary>Runs the scheduler with the default times 100 (create), 200 (subscribe) and 1000 (dispose).</summary>
    public TestableObserver<T> Start<T>(Func<IObservable<T>> create) => Start(create, Created, Subscribed, Disposed);

    /// <summary>Runs the scheduler with the default create and subscribe times and the given disposal time.</summary>
    public TestableObserver<T> Start<T>(Func<IObservable<T>> create, long disposed) => Start(create, Created, Subscribed, disposed);

    /// <summary>Makes an observer that records each notification with the virtual time it arrived.</summary>
    public TestableObserver<T> CreateObserver<T>() => new(this);

    /// <summary>Makes a cold observable: each subscriber receives the messages at their times relative to its subscription.</summary>
    public TestableObservable<T> CreateColdObservable<T>(params Recorded<Notification<T>>[] messages) => new ColdObservable<T>(this, messages);

    /// <summary>Makes a hot observable: the messages happen at their absolute times, whoever is subscribed.</summary>
    public TestableObservable<T> CreateHotObservable<T>(params Recorded<Notification<T>>[] messages) => new HotObservable<T>(this, messages);

    private void ScheduleAbsolute(long dueTime, Action action) => ScheduleAbsolute(action, dueTime, static (_, a) =>
    {
        a();
        return Disposable.Empty;
    });
}
