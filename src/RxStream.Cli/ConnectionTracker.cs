using System.Net.Sockets;

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

    /// <summary>Creates RxStream's streaming handler (see <see cref="StreamObservable.CreateHttpHandler"/>) with its connections counted here; the caller owns it.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = StreamObservable.CreateHttpHandler();
        handler.ConnectCallback = ConnectAsync;
        return handler;
    }

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
