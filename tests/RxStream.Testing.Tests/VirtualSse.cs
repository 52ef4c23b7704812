using System.Reactive.Concurrency;
using RxStream.Http;
using RxStream.Resilience;

namespace RxStream.Testing.Tests;

/// <summary>The one place these tests say how an EventSource gets its scheduler, so a change of that API touches one file.</summary>
internal static class VirtualSse
{
    public static readonly Uri Address = new("http://stream.test/chat");

    /// <summary>Options that time everything (timeouts and reconnect delays) on <paramref name="scheduler"/>, without jitter.</summary>
    public static EventSourceOptions Options(IScheduler scheduler, IObserver<ConnectionStatus>? status = null, int? maxFailedAttempts = null) => new()
    {
        Scheduler = scheduler,
        Reconnect = new ReconnectOptions { UseJitter = false, Status = status, MaxFailedAttempts = maxFailedAttempts },
    };
}
