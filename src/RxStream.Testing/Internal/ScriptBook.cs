using RxStream.Testing.Http;

namespace RxStream.Testing.Internal;

/// <summary>Keeps a scripted server's book: the scripts waiting for the next arrivals, the answer once they run out, what arrived, and who waits for it.</summary>
/// <typeparam name="TArrival">What the server records of each arrival (a request, a connection).</typeparam>
/// <typeparam name="TScript">What the server plays for it (a response, a WebSocket script).</typeparam>
/// <remarks>Both scripted handlers keep the same book; only what they record and what they play differ.</remarks>
internal sealed class ScriptBook<TArrival, TScript>(ClientActivity activity)
    where TArrival : class
{
    private readonly Lock _gate = new();
    private readonly Queue<Func<ScriptedRequest, TScript>> _scripts = new();
    private readonly List<TArrival> _arrivals = [];
    private readonly List<(int Count, TaskCompletionSource<TArrival> Signal)> _waiters = [];
    private Func<ScriptedRequest, TScript>? _otherwise;

    /// <summary>Gets a copy of the arrivals so far, in order.</summary>
    public IReadOnlyList<TArrival> Arrivals
    {
        get
        {
            lock (_gate)
            {
                return [.. _arrivals];
            }
        }
    }

    /// <summary>Adds the script of the next arrival not yet scripted.</summary>
    public void Enqueue(Func<ScriptedRequest, TScript> respond)
    {
        lock (_gate)
        {
            _scripts.Enqueue(respond);
        }
    }

    /// <summary>Sets the script of every arrival once the enqueued ones have run out.</summary>
    public void Otherwise(Func<ScriptedRequest, TScript> respond)
    {
        lock (_gate)
        {
            _otherwise = respond;
        }
    }

    /// <summary>Records an arrival, made by <paramref name="record"/> from its number (1 for the first), and takes its script: the next enqueued one, else the <see cref="Otherwise"/> one, else none.</summary>
    /// <remarks>Waiters are not told yet: the server calls <see cref="Signal"/> once it has started the answer.</remarks>
    public (TArrival Arrival, Func<ScriptedRequest, TScript>? Respond) Arrive(Func<int, TArrival> record)
    {
        lock (_gate)
        {
            var arrival = record(_arrivals.Count + 1);
            _arrivals.Add(arrival);
            return (arrival, _scripts.Count > 0 ? _scripts.Dequeue() : _otherwise);
        }
    }

    /// <summary>Waits (in real time, bounded) until <paramref name="count"/> arrivals have been recorded and the client's own threads are quiet, and returns the <paramref name="count"/>-th.</summary>
    public async Task<TArrival> WaitAsync(int count, TimeSpan? timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var patience = timeout ?? ScriptedBody.Patience;
        TaskCompletionSource<TArrival>? signal = null;
        TArrival? arrived = null;
        lock (_gate)
        {
            if (_arrivals.Count >= count)
            {
                arrived = _arrivals[count - 1];
            }
            else
            {
                signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, signal));
            }
        }

        arrived ??= await signal!.Task.WaitAsync(patience).ConfigureAwait(false);
        await activity.WhenQuietAsync(patience).ConfigureAwait(false);
        return arrived;
    }

    /// <summary>Completes the waits whose arrival has come.</summary>
    public void Signal()
    {
        List<(TaskCompletionSource<TArrival> Signal, TArrival Arrival)> due = [];
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _arrivals.Count)
                {
                    due.Add((_waiters[i].Signal, _arrivals[_waiters[i].Count - 1]));
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var (signal, arrival) in due)
        {
            signal.TrySetResult(arrival);
        }
    }
}
