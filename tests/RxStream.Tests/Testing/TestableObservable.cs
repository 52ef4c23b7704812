using System.Reactive;
using System.Reactive.Disposables;

namespace RxStream.Tests.Testing;

/// <summary>An observable of scripted notifications that records when each subscription started and ended.</summary>
public abstract class TestableObservable<T> : IObservable<T>
{
    private protected TestableObservable(TestScheduler scheduler, Recorded<Notification<T>>[] messages)
    {
        Scheduler = scheduler;
        Messages = messages;
    }

    public IReadOnlyList<Recorded<Notification<T>>> Messages { get; }

    public List<Subscription> Subscriptions { get; } = [];

    private protected TestScheduler Scheduler { get; }

    public abstract IDisposable Subscribe(IObserver<T> observer);

    private protected IDisposable Track(IDisposable inner)
    {
        Subscriptions.Add(new Subscription(Scheduler.Clock));
        var index = Subscriptions.Count - 1;
        return Disposable.Create(() =>
        {
            Subscriptions[index] = Subscriptions[index] with { Unsubscribe = Scheduler.Clock };
            inner.Dispose();
        });
    }
}

internal sealed class ColdObservable<T>(TestScheduler scheduler, Recorded<Notification<T>>[] messages)
    : TestableObservable<T>(scheduler, messages)
{
    public override IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var work = new CompositeDisposable();
        foreach (var message in Messages)
        {
            var notification = message.Value;
            work.Add(Scheduler.ScheduleRelative(default(object), message.Time, (_, _) =>
            {
                notification.Accept(observer);
                return Disposable.Empty;
            }));
        }

        return Track(work);
    }
}

internal sealed class HotObservable<T> : TestableObservable<T>
{
    private readonly List<IObserver<T>> _observers = [];

    public HotObservable(TestScheduler scheduler, Recorded<Notification<T>>[] messages)
        : base(scheduler, messages)
    {
        foreach (var message in messages)
        {
            var notification = message.Value;
            scheduler.ScheduleAbsolute(default(object), message.Time, (_, _) =>
            {
                foreach (var observer in _observers.ToArray())
                {
                    notification.Accept(observer);
                }

                return Disposable.Empty;
            });
        }
    }

    public override IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Add(observer);
        return Track(Disposable.Create(() => _observers.Remove(observer)));
    }
}
