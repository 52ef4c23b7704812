using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace RxStream.Scale;

/// <summary>Serves the event stream: one small event at once, then one a second on the connection's own phase, each carrying the moment it is written.</summary>
/// <remarks>
/// <para>An event is <c>id: n</c> (its sequence number on the connection, from 0) and <c>data: t</c>, where t is
/// <see cref="Stopwatch.GetTimestamp"/> read just before the bytes are written. On Linux that is CLOCK_MONOTONIC,
/// one clock for every process on the machine, so the client can subtract it from its own reading.</para>
/// <para>Phases follow the golden-ratio sequence (connection k ticks at frac(k·0.618…) of each second), which spreads
/// any number of connections evenly over the second instead of bursting them all at once.</para>
/// </remarks>
internal sealed class EventFeed
{
    private const double GoldenRatioConjugate = 0.6180339887498949;
    private static readonly long Period = Stopwatch.Frequency;

    private readonly Lock _gate = new();
    private int _open;
    private long _total;
    private long _events;
    private TaskCompletionSource? _whenIdle;

    /// <summary>Gets the number of event streams being served now.</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    public long Total => Interlocked.Read(ref _total);

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Completes when no stream is open (at once if none is).</summary>
    public Task WhenIdle()
    {
        lock (_gate)
        {
            return _open == 0 ? Task.CompletedTask : (_whenIdle ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public async Task ServeAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var connection = Enter();
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var writer = context.Response.BodyWriter;
            long id = 0;

            // The first event at once: the client counts a stream as open when it arrives.
            await WriteEventAsync(writer, id++, aborted);

            var phase = (long)(Period * ((connection * GoldenRatioConjugate) % 1.0));
            var due = NextDue(Stopwatch.GetTimestamp(), phase);
            while (!aborted.IsCancellationRequested)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, aborted);
                }

                await WriteEventAsync(writer, id++, aborted);

                // Keep the phase; a server that fell more than a period behind skips ahead rather than bursting to catch up.
                due += Period;
                if (due < Stopwatch.GetTimestamp())
                {
                    due = NextDue(Stopwatch.GetTimestamp(), phase);
                }
            }
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // The client closed the stream: the only way these streams end.
        }
        finally
        {
            Leave();
        }
    }

    private static long NextDue(long now, long phase)
    {
        var due = (now - (now % Period)) + phase;
        return due > now ? due : due + Period;
    }

    private async ValueTask WriteEventAsync(PipeWriter writer, long id, CancellationToken cancellationToken)
    {
        var buffer = writer.GetSpan(64);
        var writtenAt = Stopwatch.GetTimestamp();
        if (!Utf8.TryWrite(buffer, $"id: {id}\ndata: {writtenAt}\n\n", out var length))
        {
            throw new InvalidOperationException("An event did not fit its 64-byte buffer.");
        }

        writer.Advance(length);
        await writer.FlushAsync(cancellationToken);
        Interlocked.Increment(ref _events);
    }

    private long Enter()
    {
        lock (_gate)
        {
            _open++;
            return _total++;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_open == 0)
            {
                (idle, _whenIdle) = (_whenIdle, null);
            }
        }

        idle?.TrySetResult();
    }
}
