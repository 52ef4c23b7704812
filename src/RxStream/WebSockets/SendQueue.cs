namespace RxStream.WebSockets;

/// <summary>Runs sends one at a time in the order they were issued, however long each waits for its connection.</summary>
/// <remarks>
/// Each send waits for the one issued before it, so a send issued while the connection is still opening goes out
/// before any issued later. A caller that gives up (cancelled, timed out) returns at once, but its place in the line
/// is released only when the send before it finishes, so the order of the others holds.
/// </remarks>
internal sealed class SendQueue
{
    private readonly Lock _gate = new();

    // The end of the line: completes when the last send issued so far has finished. It never faults.
    private Task _tail = Task.CompletedTask;

    /// <summary>Runs <paramref name="send"/> once every send issued before it has finished.</summary>
    /// <param name="send">The send; it receives <paramref name="deadline"/> to stop waiting on.</param>
    /// <param name="deadline">Wait bounds: the caller's token and the send's timeout.</param>
    public async Task RunAsync(Func<SendDeadline, Task> send, SendDeadline deadline)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _tail;
            _tail = done.Task;
        }

        try
        {
            await deadline.WaitAsync(previous).ConfigureAwait(false);
            await send(deadline).ConfigureAwait(false);
        }
        finally
        {
            if (previous.IsCompleted)
            {
                done.SetResult();
            }
            else
            {
                // Given up while waiting for the send before: keep the line's order by passing the turn on only after it.
                _ = previous.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).SetResult(), done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
