using System.Net.Sockets;
using System.Text;

namespace RxStream.Cli;

/// <summary>Counts the TCP connections its handlers open and completes a signal when every one of them is closed.</summary>
/// <remarks>
/// Disposing a subscription starts closing its connection (a WebSocket's closing handshake, an aborted body) without
/// waiting for it; a process that exits straight after would cut the close short, and the server would see a reset
/// instead of a close frame. rxstream therefore waits, bounded, for this signal before it exits.
/// </remarks>
internal sealed class ConnectionTracker
{
    private readonly object _gate = new();
    private int _open;
    private TaskCompletionSource _allClosed = NewCompletedSignal();

    /// <summary>Creates a handler whose connections this tracker counts; the caller owns it.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,

        // A body left unread is abandoned, not drained for reuse: by default the handler keeps reading an unfinished
        // response for up to 2 s (or 1 MiB) after it is disposed, and the server sees the client stay that long.
        ResponseDrainTimeout = TimeSpan.Zero,

        // As StreamObservable.CreateHttpHandler's does: a non-ASCII Last-Event-ID goes out as UTF-8, as browsers send it,
        // so a stream whose event IDs are not ASCII can still be resumed.
        RequestHeaderEncodingSelector = static (name, _) => string.Equals(name, "Last-Event-ID", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8 : null,
    };

    /// <summary>Completes once no connection is open, or after <paramref name="limit"/>; says which.</summary>
    public async Task<bool> WaitUntilAllClosedAsync(TimeSpan limit)
    {
        Task allClosed;
        lock (_gate)
        {
            allClosed = _allClosed.Task;
        }

        try
        {
            await allClosed.WaitAsync(limit).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static TaskCompletionSource NewCompletedSignal()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.SetResult();
        return signal;
    }

    // What SocketsHttpHandler does by default (a dual-mode socket without Nagle's delay), plus the count.
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        lock (_gate)
        {
            if (_open++ == 0)
            {
                _allClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new TrackedStream(socket, this);
    }

    private void Closed()
    {
        lock (_gate)
        {
            if (--_open == 0)
            {
                _allClosed.TrySetResult();
            }
        }
    }

    /// <summary>A network stream that tells the tracker, once, when it is disposed (which closes its socket).</summary>
    private sealed class TrackedStream(Socket socket, ConnectionTracker tracker) : NetworkStream(socket, ownsSocket: true)
    {
        private int _disposed;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tracker.Closed();
            }
        }
    }
}
