using System.Net;
using System.Reactive.Concurrency;
using RxStream.Testing.Http;
using RxStream.Testing.Internal;
using RxStream.Testing.Recording;

namespace RxStream.Testing;

/// <summary>Answers each HTTP request from a script, in the virtual time of a scheduler, without a socket; records every request it receives.</summary>
/// <remarks>
/// <para>Give it to RxStream as the client (<c>new HttpClient(handler)</c> or <c>new HttpMessageInvoker(handler)</c>) and
/// give the same scheduler to the stream (<c>EventSourceOptions.Scheduler</c>, <c>FetchOptions.Scheduler</c>) and to
/// the code under test. It works with any <see cref="IScheduler"/>, and is meant for a
/// <see cref="VirtualTimeScheduler{TAbsolute, TRelative}"/>: System.Reactive's <see cref="HistoricalScheduler"/>, or
/// Microsoft.Reactive.Testing's <c>TestScheduler</c>.</para>
/// <para>The n-th request gets the n-th script added with <see cref="Enqueue(HttpResponseScript)"/>; once they run
/// out, the <see cref="Otherwise"/> answer, if any, else the request fails with <see cref="InvalidOperationException"/>.
/// The response's headers and each body part are scheduled at their times after the request arrived; when the clock
/// reaches them, the client's pending read completes on the scheduler's thread, so what the client does with it
/// (parsing, operators, the observer) happens within the scheduler's step, at that virtual time.</para>
/// <para>RxStream sends a request on the thread that subscribes (or on the scheduler's, for a reconnect), so it has
/// arrived when <c>Subscribe</c> returns, and advancing the clock runs everything due by then before it returns: the
/// parts, drops, timeouts and reconnects, and what the client does with them. Each step runs without the thread's
/// <see cref="SynchronizationContext"/> (xunit installs one), which would otherwise push the client's reaction onto
/// the thread pool, after the step. A test needs no wait; <see cref="WaitForRequestAsync"/> is for a client that sends
/// from another thread (behind <c>SubscribeOn</c>, say).</para>
/// </remarks>
public sealed class ScriptedHttpHandler : HttpMessageHandler
{
    private readonly IScheduler _scheduler;
    private readonly ClientActivity _activity;
    private readonly ScriptBook<ScriptedRequest, HttpResponseScript> _book;

    /// <summary>Initializes a handler whose scripts run on <paramref name="scheduler"/>'s clock.</summary>
    /// <param name="scheduler">The scheduler the test advances.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public ScriptedHttpHandler(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        _activity = ClientActivity.Follow();
        _book = new(_activity);
    }

    /// <summary>Gets the requests received so far, in order.</summary>
    public IReadOnlyList<ScriptedRequest> Requests => _book.Arrivals;

    /// <summary>Creates a handler that serves a recording: the first request gets the first recorded connection, a request with <c>Last-Event-ID</c> resumes after that event, and any other request gets the next recorded connection.</summary>
    /// <param name="recording">The recording (an <c>sse</c> or <c>fetch</c> one).</param>
    /// <param name="scheduler">The scheduler the test advances.</param>
    /// <returns>The handler.</returns>
    /// <exception cref="ArgumentException">The recording holds no connection.</exception>
    public static ScriptedHttpHandler Replaying(StreamRecording recording, IScheduler scheduler)
    {
        var next = ConnectionTurns.Of(recording);
        return new ScriptedHttpHandler(scheduler).Otherwise(request =>
            HttpResponseScript.FromRecording(
                request.LastEventId is { Length: > 0 } id && recording.ResumeAfter(id) is { } resumed ? resumed : next()));
    }

    /// <summary>Adds the answer to the next request not yet scripted.</summary>
    /// <param name="script">The response.</param>
    /// <returns>This handler.</returns>
    public ScriptedHttpHandler Enqueue(HttpResponseScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        return Enqueue(_ => script);
    }

    /// <summary>Adds an answer, chosen from the request itself (its <c>Last-Event-ID</c>, its body), to the next request not yet scripted.</summary>
    /// <param name="respond">Makes the response for the request.</param>
    /// <returns>This handler.</returns>
    public ScriptedHttpHandler Enqueue(Func<ScriptedRequest, HttpResponseScript> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _book.Enqueue(respond);
        return this;
    }

    /// <summary>Sets the answer to every request once the enqueued scripts have run out.</summary>
    /// <param name="respond">Makes the response for the request.</param>
    /// <returns>This handler.</returns>
    public ScriptedHttpHandler Otherwise(Func<ScriptedRequest, HttpResponseScript> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _book.Otherwise(respond);
        return this;
    }

    /// <summary>Waits (in real time, bounded) until <paramref name="count"/> requests have arrived, and returns the last of them.</summary>
    /// <param name="count">How many requests to wait for; 1 for the first.</param>
    /// <param name="timeout">How long to wait at most; 10 s by default.</param>
    /// <returns>The <paramref name="count"/>-th request.</returns>
    /// <exception cref="TimeoutException">Fewer requests arrived in time.</exception>
    /// <remarks>It returns once the client has also finished what it does on its own thread after sending (awaiting the
    /// answer), so the test can advance the clock at once.</remarks>
    public Task<ScriptedRequest> WaitForRequestAsync(int count = 1, TimeSpan? timeout = null) => _book.WaitAsync(count, timeout);

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (recorded, respond) = _book.Arrive(number => ScriptedRequest.From(number, request, _scheduler.Now, cancellationToken));
        var answer = respond is null
            ? Task.FromException<HttpResponseMessage>(new InvalidOperationException($"The ScriptedHttpHandler has no answer for request {recorded}: enqueue one more script, or set Otherwise."))
            : new Exchange(this, respond(recorded), request, cancellationToken).Start(_scheduler);
        _book.Signal();
        return answer;
    }

    /// <summary>Plays one script for one request.</summary>
    private sealed class Exchange
    {
        private readonly HttpResponseScript _script;
        private readonly HttpRequestMessage _request;
        private readonly ScriptedBody _body;
        private readonly PendingResponse _response;

        public Exchange(ScriptedHttpHandler owner, HttpResponseScript script, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _script = script;
            _request = request;
            _body = new(owner._activity);
            _response = new(_body, cancellationToken);
        }

        public Task<HttpResponseMessage> Start(IScheduler scheduler)
        {
            var (parts, endAt, drop) = _script.Plan();
            _response.Schedule(scheduler, _script.HeadersTime, SendHeaders);
            foreach (var (at, bytes) in parts)
            {
                _response.Schedule(scheduler, at, () => _body.Deliver(bytes));
            }

            if (endAt is { } end)
            {
                _response.Schedule(scheduler, end, drop
                    ? () => _body.Fail(new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely (a scripted drop)."))
                    : _body.End);
            }

            return _response.Task;
        }

        private void SendHeaders()
        {
            var response = new HttpResponseMessage(_script.StatusCode)
            {
                RequestMessage = _request,
                Content = new ScriptedContent(_body),
            };
            foreach (var (name, value) in _script.Headers)
            {
                if (!response.Headers.TryAddWithoutValidation(name, value))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            _response.Answer(response);
        }
    }
}
