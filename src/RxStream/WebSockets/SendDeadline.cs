using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace RxStream.WebSockets;

/// <summary>Bounds how long one send waits for its turn and its connection: the caller's token and a timeout on a scheduler.</summary>
internal sealed class SendDeadline : IDisposable
{
    private readonly TaskCompletionSource _expired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable _timer;

    public SendDeadline(TimeSpan timeout, IScheduler scheduler, CancellationToken cancellationToken)
    {
        Timeout = timeout;
        CancellationToken = cancellationToken;

        // The timer only completes a signal, so firing after the send finished (or after Dispose) does no harm.
        _timer = timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? Disposable.Empty
            : scheduler.Schedule(_expired, timeout, static (_, expired) =>
            {
                expired.TrySetResult();
                return Disposable.Empty;
            });
    }

    /// <summary>Gets the send's timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets the caller's token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Waits for <paramref name="task"/>, unless the caller cancels or the timeout passes first.</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    /// <exception cref="WebSocketNotOpenException">The timeout passed.</exception>
    public async Task<T> WaitAsync<T>(Task<T> task)
    {
        await WaitAsync((Task)task).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="WaitAsync{T}(Task{T})"/>
    public async Task WaitAsync(Task task)
    {
        if (!task.IsCompleted)
        {
            var first = await Task.WhenAny(task, _expired.Task).WaitAsync(CancellationToken).ConfigureAwait(false);
            if (first != task)
            {
                throw new WebSocketNotOpenException(WebSocketNotOpenException.TimedOut(Timeout), null);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
