using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using RxStream.Diagnostics;
using RxStream.Internal;
using RxStream.Resilience;
using RxStream.ServerSentEvents;

namespace RxStream.Http;

// Specification: https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
/// <summary>Connects to an event stream as <c>EventSource</c> does, one HTTP request per attempt, and reconnects under a policy.</summary>
internal static class EventSourceConnection
{
    private const string EventStreamMediaType = "text/event-stream";

    private static readonly SseParserOptions DefaultParserOptions = new();

    public static IObservable<SseEvent> Create(HttpMessageInvoker client, Uri url, EventSourceOptions options) =>
        Observable.Defer(() =>
        {
            // One session per subscription: it carries the last event ID from one attempt to the next. Without a policy
            // of its own, a connection subscribed for a user's Reconnect attempt tells that policy of its opening, its
            // retry: time and a 204, as it would tell its own.
            var session = new Session(client, url, options);
            return options.ShouldReconnect
                ? ReconnectObservable.Create(context => new Attempt(session, context), options.Reconnect! with { ReconnectOnCompleted = true }, session.Scheduler)
                : new Attempt(session, ReconnectContext.Current);
        });

    /// <summary>Holds what outlives one connection of a subscription.</summary>
    private sealed class Session(HttpMessageInvoker client, Uri url, EventSourceOptions options)
    {
        public HttpMessageInvoker Client { get; } = client;

        public Uri Url { get; } = url;

        public EventSourceOptions Options { get; } = options;

        public IScheduler Scheduler { get; } = SchedulerDefaults.Resolve(options.Scheduler);

        // "The last event ID string": the ID of the last event dispatched, not an id line whose event never completed.
        public string LastEventId { get; set; } = options.LastEventId ?? string.Empty;

        public async ValueTask<HttpRequestMessage> CreateRequestAsync(CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(Options.Method, Url) { Content = Options.Content?.Invoke() };
            try
            {
                // "Set (`Accept`, `text/event-stream`) in request's header list." The cache directive keeps proxies
                // from answering with a stored copy of a live stream.
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(EventStreamMediaType));
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
                foreach (var (name, value) in Options.Headers)
                {
                    if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, value);
                    }
                }

                // "If the EventSource object's last event ID string is not the empty string, set (`Last-Event-ID`,
                // last event ID string, encoded as UTF-8) in request's header list."
                if (LastEventId.Length > 0)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", LastEventId);
                }

                if (Options.ConfigureRequest is { } configure)
                {
                    await configure(request, cancellationToken).ConfigureAwait(false);
                }

                return request;
            }
            catch
            {
                request.Dispose();
                throw;
            }
        }
    }

    /// <summary>Runs one connection: send, validate, parse until the body ends.</summary>
    private sealed class Attempt(Session session, ReconnectContext? context) : AsyncLoopSource<SseEvent>
    {
        protected override async Task RunAsync(Emitter emitter, CancellationToken cancellationToken)
        {
            var options = session.Options;
            emitter.Telemetry = ConnectionTelemetry.Start(ConnectionTelemetry.Sse, session.Url, session.Scheduler);
            using var idle = options.IdleTimeout is { } limit ? new IdleWatch(session.Scheduler, limit, cancellationToken) : null;
            try
            {
                await ConnectAndReadAsync(emitter, idle, idle?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (idle is { Fired: true } && !cancellationToken.IsCancellationRequested)
            {
                throw new IdleTimeoutException(idle.Timeout);
            }
        }

        private async Task ConnectAndReadAsync(Emitter emitter, IdleWatch? idle, CancellationToken cancellationToken)
        {
            var options = session.Options;
            var lastEventId = session.LastEventId;
            HttpResponseMessage response;
            try
            {
                response = await HttpConnector.SendAsync(session.Client, session.CreateRequestAsync, options.ConnectTimeout, options.MaxRedirects, options.ErrorBodyPreviewBytes, session.Scheduler, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (!Ascii.IsValid(lastEventId) && e.InnerException is null && e.HttpRequestError == HttpRequestError.Unknown)
            {
                throw new RxStreamException(
                    "The last event ID is not ASCII and this HttpClient's handler refuses non-ASCII header values; build the client on StreamObservable.CreateHttpHandler() (or set SocketsHttpHandler.RequestHeaderEncodingSelector to UTF-8 for Last-Event-ID).",
                    e);
            }

            using (response)
            using (response.RequestMessage)
            {
                emitter.Telemetry?.Responded((int)response.StatusCode);

                // "If res's status is 204 No Content": the server asks the client to stop; not an error.
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    context?.DoNotReconnect();
                    return;
                }

                // "If res's status is not 200, or if res's `Content-Type` is not `text/event-stream`, then fail the
                // connection." Failing, unlike a network error, is final.
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw await HttpConnector.CreateStatusErrorAsync(response, options.ErrorBodyPreviewBytes, session.Scheduler, cancellationToken).ConfigureAwait(false);
                }

                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (!string.Equals(mediaType, EventStreamMediaType, StringComparison.OrdinalIgnoreCase))
                {
                    throw new UnexpectedContentTypeException(EventStreamMediaType, mediaType);
                }

                // "Announce the connection": the onopen moment, told to the policy (which publishes it as a status) and to the user.
                var start = HttpResponseStart.From(response);
                emitter.Telemetry?.Opened((int)response.StatusCode);
                context?.ReportOpen(start);
                options.OnOpen?.Invoke(start);

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var parserOptions = options.Parser ?? DefaultParserOptions;
                var handler = new Handler(emitter, context, parserOptions);
                var parser = new SseStreamParser(parserOptions, handler, session.LastEventId);
                handler.Parser = parser;
                try
                {
                    int read;
                    do
                    {
                        // An event stream is idle most of its life, so wait for bytes without holding a buffer: with
                        // thousands of streams open, a 16 KiB buffer each was most of their memory. HTTP/1 response
                        // streams (since .NET 7), HTTP/2 ones and SslStream complete a zero-byte read when data arrives;
                        // a stream that cannot returns at once, and the read below does the waiting as before.
                        // A body the handler decompresses fails a read with InvalidDataException when it is corrupt.
                        try
                        {
                            await body.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                        }
                        catch (InvalidDataException corrupt)
                        {
                            throw HttpConnector.UndecodableBody(corrupt);
                        }

                        var buffer = ArrayPool<byte>.Shared.Rent(options.BufferSize);
                        try
                        {
                            try
                            {
                                read = await body.ReadAsync(buffer.AsMemory(0, options.BufferSize), cancellationToken).ConfigureAwait(false);
                            }
                            catch (InvalidDataException corrupt)
                            {
                                throw HttpConnector.UndecodableBody(corrupt);
                            }

                            if (read > 0)
                            {
                                idle?.Touch();
                                emitter.Telemetry?.Received(read);
                                parser.Feed(buffer.AsSpan(0, read));
                            }
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
                    }
                    while (read > 0);

                    // "Once the end of the file is reached, any pending data must be discarded."
                    parser.Complete();
                }
                finally
                {
                    session.LastEventId = parser.LastEventId;
                    parser.Dispose();
                }
            }
        }
    }

    /// <summary>Sends parsed events downstream, the server's reconnection time to the policy, and both to the user's callbacks.</summary>
    /// <remarks>
    /// What a user callback throws unwinds the read loop and fails the attempt through <c>OnError</c>, as on
    /// <see cref="StreamObservable.ParseSse"/>. Once the subscriber has left (a dispose from inside <c>OnNext</c>), the
    /// parser stops at once and no callback runs for the rest of the chunk.
    /// </remarks>
    private sealed class Handler(AsyncLoopSource<SseEvent>.Emitter emitter, ReconnectContext? context, SseParserOptions parserOptions) : ISseParserHandler
    {
        public SseStreamParser? Parser { get; set; }

        public void OnEvent(in SseEvent value)
        {
            emitter.Telemetry?.Item();
            emitter.Next(value);
            if (emitter.IsStopped)
            {
                Parser?.Stop();
            }
        }

        // Heartbeats: the read that carried them already counted as activity; the user may still want to see them.
        public void OnComment(ReadOnlySpan<byte> text)
        {
            if (parserOptions.OnComment is { } onComment && !emitter.IsStopped)
            {
                onComment(Encoding.UTF8.GetString(text));
            }
        }

        // "Set the event stream's reconnection time to that integer."
        public void OnRetry(TimeSpan reconnectionTime)
        {
            context?.SetRetryDelay(reconnectionTime);
            if (parserOptions.OnRetry is { } onRetry && !emitter.IsStopped)
            {
                onRetry(reconnectionTime);
            }
        }
    }
}
