using System.Reactive;
using System.Reactive.Concurrency;

namespace RxStream.Tests.Testing;

/// <summary>Records every notification it receives with the virtual time it arrived.</summary>
public sealed class TestableObserver<T> : IObserver<T>
{
    private readonly IScheduler _scheduler;
    private readonly List<Recorded<Notification<T>>> _messages = [];

    internal TestableObserver(IScheduler scheduler) => _scheduler = scheduler;

    public IReadOnlyList<Recorded<Notification<T>>> Messages => _messages;

    /// <summary>The values of the OnNext notifications, in order.</summary>
    public IReadOnlyList<T> Values => _messages.Where(m => m.Value.Kind == NotificationKind.OnNext).Select(m => m.Value.Value).ToList();

    /// <summary>The error, if the sequence ended with one.</summary>
    public Exception? Error => _messages.LastOrDefault(m => m.Value.Kind == NotificationKind.OnError).Value?.Exception;

    public bool Completed => _messages.Any(m => m.Value.Kind == NotificationKind.OnCompleted);

    public void OnNext(T value) => _messages.Add(new(_scheduler.Now.Ticks, Notification.CreateOnNext(value)));

    public void OnError(Exception error) => _messages.Add(new(_scheduler.Now.Ticks, Notification.CreateOnError<T>(error)));

    public void OnCompleted() => _messages.Add(new(_scheduler.Now.Ticks, Notification.CreateOnCompleted<T>()));
}
