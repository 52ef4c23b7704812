using System.Reactive;

namespace RxStream.Tests.Testing;

/// <summary>A value recorded at a virtual time.</summary>
public readonly record struct Recorded<T>(long Time, T Value)
{
    public override string ToString() => $"{Value}@{Time}";
}

/// <summary>When a subscription started and ended in virtual time; <see cref="Infinite"/> while it lasts.</summary>
public readonly record struct Subscription(long Subscribe, long Unsubscribe = Subscription.Infinite)
{
    public const long Infinite = long.MaxValue;

    public override string ToString() => Unsubscribe == Infinite ? $"({Subscribe}, Infinite)" : $"({Subscribe}, {Unsubscribe})";
}

/// <summary>Shorthands for writing expected notifications, as in Rx's ReactiveTest.</summary>
public static class ReactiveTest
{
    public static Recorded<Notification<T>> OnNext<T>(long time, T value) => new(time, Notification.CreateOnNext(value));

    public static Recorded<Notification<T>> OnCompleted<T>(long time) => new(time, Notification.CreateOnCompleted<T>());

    public static Recorded<Notification<T>> OnError<T>(long time, Exception error) => new(time, Notification.CreateOnError<T>(error));

    public static Subscription Subscribe(long start, long end) => new(start, end);

    public static Subscription Subscribe(long start) => new(start);
}
