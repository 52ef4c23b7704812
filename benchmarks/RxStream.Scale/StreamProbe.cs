using System.Diagnostics;

namespace RxStream.Scale;

/// <summary>Receives one stream's events, whichever client kind delivers them, and measures each one's delay.</summary>
/// <remarks>Both kinds hand it the same two strings (data and event ID), so the measuring costs them the same.</remarks>
internal sealed class StreamProbe(ProbeHub hub)
{
    private long _events;
    private long _lastId = -1;

    /// <summary>Handles one event: <paramref name="data"/> is the server's write timestamp, <paramref name="eventId"/> its sequence number on this stream.</summary>
    public void OnEvent(string data, string? eventId)
    {
        var receivedAt = Stopwatch.GetTimestamp();
        if (!long.TryParse(data, out var writtenAt) || !long.TryParse(eventId, out var id))
        {
            hub.BadEvent();
            return;
        }

        hub.Recorder.Record(writtenAt, receivedAt);
        if (_lastId >= 0 && id != _lastId + 1)
        {
            hub.Gap();
        }

        _lastId = id;
        switch (++_events)
        {
            case 1:
                hub.Opened.Increment();
                break;
            case 2:
                hub.Ticked.Increment();
                break;
        }
    }

    public void OnError(Exception error) => hub.Failed(error);

    public void OnEnd() => hub.Ended();
}
