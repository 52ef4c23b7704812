namespace RxStream.Scale;

/// <summary>Counts occurrences and completes a task once the count reaches a target: how the ramp-up awaits "every stream in this batch is open".</summary>
internal sealed class CountSignal
{
    private readonly Lock _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Increment()
    {
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            _count++;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= _count)
                {
                    (ready ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        ready?.ForEach(done => done.TrySetResult());
    }

    public Task WhenAtLeast(long target)
    {
        lock (_gate)
        {
            if (_count >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            return done.Task;
        }
    }
}
