using RxStream.Testing.Recording;

namespace RxStream.Testing.Internal;

/// <summary>Hands out a recording's connections in turn, for a scripted server that replays it.</summary>
internal static class ConnectionTurns
{
    /// <summary>Returns a function whose n-th call gives the n-th recorded connection, and the last one once they run out.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The recording holds no connection.</exception>
    public static Func<RecordedConnection> Of(StreamRecording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        if (recording.Connections.Count == 0)
        {
            throw new ArgumentException("The recording holds no connection.", nameof(recording));
        }

        // Calls may come from several threads (a client that connects from the pool); each takes its own turn.
        var next = 0;
        return () => recording.Connections[Math.Min(Interlocked.Increment(ref next), recording.Connections.Count) - 1];
    }
}
