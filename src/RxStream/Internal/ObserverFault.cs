using System.Runtime.ExceptionServices;

namespace RxStream.Internal;

/// <summary>Sends an exception thrown by a subscriber's own <c>OnNext</c>, <c>OnError</c> or <c>OnCompleted</c> to the unhandled-exception path.</summary>
/// <remarks>
/// A source's read loop runs as a task that nobody awaits (started on the subscribing thread or the thread pool, and
/// continued wherever its reads complete), so nobody is on the stack to receive what the observer threw.
/// Rerouting it to <c>OnError</c> would hand the observer its own bug as if the stream had failed (and a reconnect
/// policy would retry it); swallowing it would hide the bug. Like Rx's schedulers, we rethrow it where the process
/// reports unhandled exceptions. That includes the stream's own error rethrown by an observer subscribed without an
/// error handler (Rx's default <c>onError</c>): nobody handles it, so it is reported as unhandled, not left in a task. Tests swap <see cref="Handler"/> to observe it.
/// </remarks>
internal static class ObserverFault
{
    private static readonly Action<ExceptionDispatchInfo> Rethrow =
        static fault => ThreadPool.UnsafeQueueUserWorkItem(static state => ((ExceptionDispatchInfo)state!).Throw(), fault);

    /// <summary>Gets or sets where faults go; the default rethrows on a thread-pool thread.</summary>
    internal static Action<ExceptionDispatchInfo> Handler { get; set; } = Rethrow;

    /// <summary>Reports <paramref name="fault"/>, keeping its original stack trace.</summary>
    public static void Report(Exception fault) => Handler(ExceptionDispatchInfo.Capture(fault));
}

/// <summary>Carries an exception thrown by the observer out of a source's producer, past its <c>catch</c> blocks for stream errors.</summary>
internal sealed class ObserverFaultedException(Exception inner) : Exception(inner.Message, inner);
