using System.Threading.Tasks.Sources;
using RxStream.Testing.Internal;

namespace RxStream.Testing.Http;

/// <summary>A readable stream whose bytes arrive when a script delivers them: a read waits until then, and completes on the thread that delivers.</summary>
/// <remarks>
/// <para>A read returns at most one delivered part, so the reader sees the script's chunk boundaries (a part larger
/// than the read's buffer is returned over several reads). An empty part is skipped: a read of zero bytes means the
/// end of the stream.</para>
/// <para>A pending read is a value task whose continuation this stream runs itself, inline, when the part arrives: so
/// the reader's code (an RxStream source and everything downstream of it) runs inside the virtual-time scheduler's
/// step, at the step's time. When the reader had not yet awaited the read, <see cref="Deliver"/> waits, bounded, until
/// it awaits again or lets go, so the step never runs concurrently with the reader.</para>
/// <para>Disposal, and cancellation of a pending read, end the read with an exception.</para>
/// </remarks>
internal class ScriptedBody(ClientActivity? activity = null) : Stream
{
    // How long a step waits for a reader that runs on another thread to come back to this stream.
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Queue<ReadOnlyMemory<byte>> _parts = new();
    private readonly ManualResetEventSlim _settled = new(initialState: false);
    private readonly ManualResetEventSlim _released = new(initialState: false);
    private PendingRead? _pending;
    private Exception? _failure;
    private bool _ended;
    private bool _disposed;

    /// <summary>Occurs once when the stream is disposed.</summary>
    public event Action? Disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Gets a value indicating whether the reader has disposed the stream.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Makes <paramref name="part"/> readable, completing a pending read with it.</summary>
    public void Deliver(ReadOnlyMemory<byte> part)
    {
        if (part.IsEmpty)
        {
            return;
        }

        PendingRead? pending;
        int count;
        lock (_gate)
        {
            if (_disposed || _ended || _failure is not null)
            {
                return;
            }

            _parts.Enqueue(part);
            pending = TakePendingLocked(out count);
        }

        if (pending is not null)
        {
            Wake(pending, () => pending.Complete(count));
        }
    }

    /// <summary>Ends the stream: pending and later reads return 0.</summary>
    public void End() => Finish(null);

    /// <summary>Fails the stream: pending and later reads throw <paramref name="error"/>.</summary>
    public void Fail(Exception error) => Finish(error);

    /// <summary>Waits, bounded, until the reader has come back to this stream (awaits a read) or let it go (disposed it).</summary>
    public void WaitUntilSettled(bool alreadyReset = false)
    {
        if (!alreadyReset)
        {
            _settled.Reset();
        }

        bool parked;
        lock (_gate)
        {
            parked = _disposed || _pending is { IsAwaited: true };
        }

        if (!parked)
        {
            _settled.Wait(Patience);
        }

        // Back at this stream, or gone: either way let the thread that ran it finish what it was doing.
        activity?.WaitUntilQuiet(Patience);
    }

    /// <summary>Waits, bounded, until the reader has disposed the stream, and the thread that did so has finished.</summary>
    public void WaitUntilReleased()
    {
        _released.Wait(Patience);
        activity?.WaitUntilQuiet(Patience);
    }

    /// <summary>Marks the start of a step that may hand control to the reader on another thread.</summary>
    public void BeginStep() => _settled.Reset();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending is not null)
            {
                throw new InvalidOperationException("A read is already pending on this stream.");
            }

            if (buffer.IsEmpty)
            {
                return ValueTask.FromResult(0);
            }

            if (_parts.Count > 0)
            {
                return ValueTask.FromResult(CopyLocked(buffer));
            }

            if (_failure is not null)
            {
                return ValueTask.FromException<int>(_failure);
            }

            if (_ended)
            {
                return ValueTask.FromResult(0);
            }

            var pending = new PendingRead(this, buffer);
            _pending = pending;
            if (cancellationToken.CanBeCanceled)
            {
                pending.Registration = cancellationToken.UnsafeRegister(static (state, token) => Inline.Run(() => ((PendingRead)state!).Cancel(token)), pending);
            }

            return new ValueTask<int>(pending, pending.Version);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        PendingRead? pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pending = _pending;
            _pending = null;
        }

        if (pending is not null)
        {
            Inline.Run(() => pending.Fail(new ObjectDisposedException(GetType().Name, "The response was disposed while a read was pending.")));
        }
        _settled.Set();
        _released.Set();
        Disposed?.Invoke();
        base.Dispose(disposing);
    }

    private void Finish(Exception? error)
    {
        PendingRead? pending;
        lock (_gate)
        {
            if (_disposed || _ended || _failure is not null)
            {
                return;
            }

            if (error is null)
            {
                _ended = true;
            }
            else
            {
                _failure = error;
            }

            if (_parts.Count > 0)
            {
                // The parts already delivered are read first; the end follows them.
                return;
            }

            pending = _pending;
            _pending = null;
        }

        if (pending is not null)
        {
            Wake(pending, () =>
            {
                if (error is null)
                {
                    pending.Complete(0);
                }
                else
                {
                    pending.Fail(error);
                }
            });
        }
    }

    // Runs the reader's continuation (inline when it awaits the read already) and, when it had not awaited yet (so it
    // goes on on its own thread), waits for it to come back or let go.
    private void Wake(PendingRead pending, Action complete)
    {
        var awaited = pending.IsAwaited;
        _settled.Reset();
        complete();
        if (!awaited)
        {
            WaitUntilSettled(alreadyReset: true);
        }
        else
        {
            // The reader ran inline, but may have handed work to another thread (a WebSocket's closing handshake does):
            // let it finish before the clock moves on.
            activity?.WaitUntilQuiet(Patience);
        }
    }

    private PendingRead? TakePendingLocked(out int count)
    {
        count = 0;
        if (_pending is not { } pending)
        {
            return null;
        }

        _pending = null;
        count = CopyLocked(pending.Buffer);
        return pending;
    }

    private int CopyLocked(Memory<byte> buffer)
    {
        var part = _parts.Peek();
        var count = Math.Min(part.Length, buffer.Length);
        part.Span[..count].CopyTo(buffer.Span);
        if (count == part.Length)
        {
            _parts.Dequeue();
        }
        else
        {
            // A part larger than the buffer: the rest is the next read's.
            var rest = part[count..];
            var others = _parts.ToArray()[1..];
            _parts.Clear();
            _parts.Enqueue(rest);
            foreach (var other in others)
            {
                _parts.Enqueue(other);
            }
        }

        return count;
    }

    private void Awaited() => _settled.Set();

    /// <summary>One pending read: a value-task source whose continuation runs where the read completes.</summary>
    private sealed class PendingRead(ScriptedBody owner, Memory<byte> buffer) : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;
        private int _done;
        private volatile bool _awaited;

        public Memory<byte> Buffer { get; } = buffer;

        public CancellationTokenRegistration Registration { get; set; }

        public short Version => _core.Version;

        public bool IsAwaited => _awaited;

        public void Complete(int count)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Registration.Dispose();
                _core.SetResult(count);
            }
        }

        public void Fail(Exception error)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Registration.Dispose();
                _core.SetException(error);
            }
        }

        public void Cancel(CancellationToken token)
        {
            lock (owner._gate)
            {
                if (owner._pending == this)
                {
                    owner._pending = null;
                }
            }

            Fail(new OperationCanceledException(token));
        }

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            if (_core.GetStatus(token) != ValueTaskSourceStatus.Pending)
            {
                // The read completed between the reader's check and this call. The core would queue the continuation to
                // the thread pool, out of sight; run it here instead, on the reader's thread, which the step waits for.
                continuation(state);
                return;
            }

            _core.OnCompleted(continuation, state, token, flags);
            _awaited = true;
            owner.Awaited();
        }
    }
}
