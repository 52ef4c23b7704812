using System.Diagnostics;
using System.Reactive.Concurrency;
using RxStream.Http;

namespace RxStream.Diagnostics;

// Specification: https://opentelemetry.io/docs/specs/semconv/http/http-spans/ (span kind Client, server.address,
// server.port, http.response.status_code, error.type; "the span status MUST be left unset" on success).
/// <summary>Reports one connection attempt to RxStream's meter and activity source: started, opened, bytes and items received, ended.</summary>
/// <remarks>
/// <para>A source calls <see cref="Start"/> before it sends its request (inside its own asynchronous flow, so that the
/// span is <see cref="Activity.Current"/> and <c>HttpClient</c>'s span nests under it) and hands the result to its
/// <see cref="Internal.AsyncLoopSource{T}.Emitter"/>; it calls <see cref="Opened"/> once the server answered,
/// <see cref="Received"/> per read or message and <see cref="Item"/> per item it emits. The source's loop calls
/// <see cref="End"/> with the outcome, before its observer hears of the end (and so before a reconnect policy
/// schedules the next attempt).</para>
/// <para>With nobody listening, <see cref="Start"/> returns one shared inert instance: no allocation, and each call
/// below is one field test. Durations are read from the source's <see cref="IScheduler"/>, as every time in RxStream.</para>
/// </remarks>
internal sealed class ConnectionTelemetry
{
    /// <summary>The transport tag of an EventSource connection.</summary>
    public const string Sse = "sse";

    /// <summary>The transport tag of a streaming HTTP body.</summary>
    public const string Fetch = "fetch";

    /// <summary>The transport tag of a WebSocket.</summary>
    public const string WebSocket = "websocket";

    private const string OutcomeTag = "rxstream.outcome";
    private const string StatusCodeTag = "http.response.status_code";

    private static readonly ConnectionTelemetry Inert = new();

    // Whether anyone listened when the attempt started; the inert instance never reports.
    private readonly bool _listening;
    private readonly KeyValuePair<string, object?> _transport;
    private readonly Activity? _activity;
    // Monotonic on real time and virtual in tests, like IdleWatch: a clock change cannot bend a duration.
    private readonly IStopwatch? _clock;

    // Whether the +1 of rxstream.connection.active was recorded, so the -1 matches it even if a listener came or went.
    private readonly bool _countedActive;
    private bool _firstByteSeen;
    private bool _firstItemSeen;
    private int _ended;

    private ConnectionTelemetry()
    {
    }

    private ConnectionTelemetry(string transport, Uri? target, IScheduler scheduler)
    {
        _listening = true;
        _transport = new(Instruments.TransportTag, transport);
        _clock = scheduler.StartStopwatch();
        _activity = Instruments.Source.StartActivity("rxstream " + transport, ActivityKind.Client);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag(Instruments.TransportTag, transport);
            SetTarget(target);
        }

        if (Instruments.Active.Enabled)
        {
            _countedActive = true;
            Instruments.Active.Add(1, _transport);
        }
    }

    /// <summary>Gets the span of this attempt, or <see langword="null"/> when nobody records it.</summary>
    public Activity? Activity => _activity;

    /// <summary>Starts reporting an attempt: the span starts now and becomes <see cref="Activity.Current"/>, and the attempt counts as active.</summary>
    /// <param name="transport"><see cref="Sse"/>, <see cref="Fetch"/> or <see cref="WebSocket"/>.</param>
    /// <param name="target">The address, if known before the request is built.</param>
    /// <param name="scheduler">The source's scheduler, which times the attempt.</param>
    /// <returns>The attempt's reporter, or a shared inert one when nobody listens.</returns>
    public static ConnectionTelemetry Start(string transport, Uri? target, IScheduler scheduler) =>
        Instruments.AnyConnectionListener ? new ConnectionTelemetry(transport, target, scheduler) : Inert;

    /// <summary>Wraps a request factory so that the span learns the address of the request the source builds; the factory itself when nobody records the span.</summary>
    public Func<CancellationToken, ValueTask<HttpRequestMessage>> Observe(Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest)
    {
        if (_activity is not { IsAllDataRequested: true })
        {
            return createRequest;
        }

        return async cancellationToken =>
        {
            var request = await createRequest(cancellationToken).ConfigureAwait(false);
            SetTarget(request?.RequestUri);
            return request!;
        };
    }

    /// <summary>Records the HTTP status the server answered with, whether or not the connection then opens.</summary>
    public void Responded(int statusCode) => _activity?.SetTag(StatusCodeTag, statusCode);

    /// <summary>Records that the connection opened, with the HTTP status of the response (101 for a WebSocket).</summary>
    public void Opened(int statusCode)
    {
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(StatusCodeTag, statusCode);
            activity.AddEvent(new ActivityEvent("opened"));
        }
    }

    /// <summary>Records <paramref name="bytes"/> received in one read or message.</summary>
    public void Received(int bytes)
    {
        if (!_listening)
        {
            return;
        }

        if (!_firstByteSeen)
        {
            _firstByteSeen = true;
            if (Instruments.TimeToFirstByte.Enabled)
            {
                Instruments.TimeToFirstByte.Record(Elapsed(), _transport);
            }
        }

        if (Instruments.ReceivedBytes.Enabled)
        {
            Instruments.ReceivedBytes.Add(bytes, _transport);
        }
    }

    /// <summary>Records one item emitted (an event, a message, a chunk).</summary>
    public void Item()
    {
        if (!_listening)
        {
            return;
        }

        if (!_firstItemSeen)
        {
            _firstItemSeen = true;
            _activity?.AddEvent(new ActivityEvent("first item"));
        }

        if (Instruments.ReceivedItems.Enabled)
        {
            Instruments.ReceivedItems.Add(1, _transport);
        }
    }

    /// <summary>Ends the attempt: counts it (with <c>error.type</c> if it failed), records its duration, and stops the span with its outcome.</summary>
    /// <param name="error">What ended the attempt, or <see langword="null"/> at the end of the stream.</param>
    /// <param name="disposed">Whether the subscription was disposed: a cancellation then is the disposal, not a failure.</param>
    public void End(Exception? error, bool disposed)
    {
        if (!_listening || Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var cancelled = disposed && error is null or OperationCanceledException;
        if (cancelled)
        {
            error = null;
        }

        var tags = new TagList { _transport };
        if (error is not null)
        {
            tags.Add(Instruments.ErrorTypeTag, error.GetType().FullName);
        }

        if (_countedActive)
        {
            Instruments.Active.Add(-1, _transport);
        }

        if (Instruments.Attempts.Enabled)
        {
            Instruments.Attempts.Add(1, tags);
        }

        if (Instruments.Duration.Enabled)
        {
            Instruments.Duration.Record(Elapsed(), tags);
        }

        if (_activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(OutcomeTag, cancelled ? "cancelled" : error is null ? "completed" : "failed");
                if (error is HttpStatusException status)
                {
                    // The server answered, though not with a stream.
                    activity.SetTag(StatusCodeTag, (int)status.StatusCode);
                }

                if (error is not null)
                {
                    activity.SetTag(Instruments.ErrorTypeTag, error.GetType().FullName);
                    activity.SetStatus(ActivityStatusCode.Error, error.Message);
                }
            }

            activity.Stop();
        }
    }

    private double Elapsed() => _clock!.Elapsed.TotalSeconds;

    private void SetTarget(Uri? target)
    {
        if (target is { IsAbsoluteUri: true } && _activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("server.address", target.Host);
            activity.SetTag("server.port", target.Port);
        }
    }
}
