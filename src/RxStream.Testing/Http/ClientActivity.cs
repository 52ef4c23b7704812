using System.Collections.Concurrent;

namespace RxStream.Testing.Http;

/// <summary>Tells when the work a test started has stopped running on other threads, by following the test's execution context.</summary>
/// <remarks>
/// <para>A client can go on on a thread of its own: one that had not yet awaited an answer when it completed, or work
/// that a WebSocket hands to the thread pool. A scripted server must not move the virtual clock while that work runs.
/// The work carries the execution context of the code that subscribed, so an <see cref="AsyncLocal{T}"/> set by the test (when it
/// creates a scripted server) flows into it: the notification of that value appearing on a thread and leaving it
/// counts the threads running the test's work.</para>
/// <para>When the test's context does not carry it (the server was created elsewhere), the count stays empty and the
/// waits return at once; the other signals (a pending read, a request) still order the steps.</para>
/// </remarks>
internal sealed class ClientActivity
{
    private static readonly AsyncLocal<ClientActivity?> Current = new(OnContextChanged);

    private readonly ConcurrentDictionary<int, int> _threads = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts following the calling test's work afresh (one follower per scripted server, so no state leaks from an earlier test whose context this one inherited).</summary>
    public static ClientActivity Follow() => Current.Value = new ClientActivity();

    /// <summary>Waits, in real time and bounded, until no thread other than the caller's runs the test's work.</summary>
    public void WaitUntilQuiet(TimeSpan patience)
    {
        var deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        while (Busy() && Environment.TickCount64 < deadline)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (!Busy())
            {
                return;
            }

            changed.Wait(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64)));
        }
    }

    /// <summary>Waits asynchronously, bounded, until no thread other than the caller's runs the test's work.</summary>
    public async Task WhenQuietAsync(TimeSpan patience)
    {
        var deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (!Busy())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64))).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }

    private bool Busy()
    {
        var me = Environment.CurrentManagedThreadId;
        foreach (var (thread, depth) in _threads)
        {
            if (depth > 0 && thread != me)
            {
                return true;
            }
        }

        return false;
    }

    private static void OnContextChanged(AsyncLocalValueChangedArgs<ClientActivity?> change)
    {
        if (!change.ThreadContextChanged || ReferenceEquals(change.PreviousValue, change.CurrentValue))
        {
            return;
        }

        change.PreviousValue?.Move(-1);
        change.CurrentValue?.Move(+1);
    }

    private void Move(int delta)
    {
        _threads.AddOrUpdate(Environment.CurrentManagedThreadId, Math.Max(delta, 0), (_, depth) => Math.Max(depth + delta, 0));
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
