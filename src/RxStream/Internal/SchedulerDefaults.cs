using System.Reactive.Concurrency;

namespace RxStream.Internal;

/// <summary>Resolves the scheduler that times an operation when its caller named none: the one place that choice is made.</summary>
/// <remarks>As Rx's own <c>SchedulerDefaults</c>: timers (timeouts, backoff delays, close deadlines) run on
/// <see cref="DefaultScheduler.Instance"/>, the thread pool's timers.</remarks>
internal static class SchedulerDefaults
{
    /// <summary>Gets the scheduler for timed operations: <see cref="DefaultScheduler.Instance"/>.</summary>
    public static IScheduler TimeBasedOperations => DefaultScheduler.Instance;

    /// <summary>Returns <paramref name="scheduler"/>, or <see cref="TimeBasedOperations"/> when it is <see langword="null"/>.</summary>
    /// <param name="scheduler">The scheduler the caller chose, if any.</param>
    /// <returns>The scheduler to use.</returns>
    public static IScheduler Resolve(IScheduler? scheduler) => scheduler ?? TimeBasedOperations;
}
