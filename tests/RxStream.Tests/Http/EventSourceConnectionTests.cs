using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Linq;
using RxStream.Http;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

/// <summary>What an EventSource does with the user's own callbacks: failures end the stream through OnError, and none runs after the subscriber leaves.</summary>
[Collection(ObserverFaultCollection.Name)]
public sealed class EventSourceConnectionTests
{
    private static readonly InvalidOperationException Bug = new("the user's callback bug");
    private static readonly Uri Url = new("http://127.0.0.1/events");

    public static TheoryData<string> Callbacks => new() { "OnComment", "OnRetry", "OnOpen", "ConfigureRequest", "Content" };

    [Theory]
    [MemberData(nameof(Callbacks))]
    public async Task EventSource_UserCallbackThrows_FailsThroughOnErrorNotTheUnhandledPath(string callback)
    {
        using var faults = new ObserverFaultCapture();
        using var client = new HttpClient(Respond("data: a\n\n: ping\nretry: 10\ndata: b\n\n"));
        var options = callback switch
        {
            "OnComment" => new EventSourceOptions { Parser = new SseParserOptions { OnComment = _ => throw Bug } },
            "OnRetry" => new EventSourceOptions { Parser = new SseParserOptions { OnRetry = _ => throw Bug } },
            "OnOpen" => new EventSourceOptions { OnOpen = _ => throw Bug },
            "ConfigureRequest" => new EventSourceOptions { ConfigureRequest = (_, _) => throw Bug },
            _ => new EventSourceOptions { Method = HttpMethod.Post, Content = () => throw Bug },
        };
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, Url, options with { Reconnect = null }).Subscribe(observer);

        Assert.Same(Bug, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.False(faults.Fault.IsCompleted);
    }

    [Fact]
    public async Task EventSource_UserCallbackThrowsUnderReconnect_EndsTheStreamWithoutAnotherAttempt()
    {
        var handler = Respond(": ping\n");
        using var client = new HttpClient(handler);
        var options = new EventSourceOptions { Parser = new SseParserOptions { OnComment = _ => throw Bug } };
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, Url, options).Subscribe(observer);

        Assert.Same(Bug, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task EventSource_DisposedInsideOnNext_NoCallbackForTheRestOfTheChunk()
    {
        var body = new Pipe();
        var bodyStream = new DisposeSignallingStream(body.Reader.AsStream());
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(bodyStream) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
        })));
        var calls = new List<string>();
        var options = new EventSourceOptions
        {
            Reconnect = null,
            Parser = new SseParserOptions { OnComment = text => calls.Add("comment" + text), OnRetry = _ => calls.Add("retry") },
        };
        var subscription = default(IDisposable);
        using var subscribed = new ManualResetEventSlim();
        var observer = new AsyncObserver<SseEvent>
        {
            OnNextHook = e =>
            {
                calls.Add("event " + e.Data);
                subscribed.Wait(AsyncObserver<SseEvent>.Patience);
                subscription!.Dispose();
            },
        };

        subscription = StreamObservable.EventSource(client, Url, options).Subscribe(observer);
        subscribed.Set();
        await body.Writer.WriteAsync(": before\ndata: a\n\n: after\nretry: 5\ndata: b\n\n"u8.ToArray());

        // The connection is released once the attempt has unwound: by then the rest of the chunk was or was not read.
        await bodyStream.Disposed.WaitAsync(AsyncObserver<SseEvent>.Patience);
        Assert.Equal(["comment before", "event a"], calls);
        Assert.False(observer.IsTerminated);
    }

    [Fact]
    public async Task Fetch_RequestFactoryThrows_FailsThroughOnError()
    {
        using var faults = new ObserverFaultCapture();
        using var client = new HttpClient(Respond("data: a\n\n"));
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.Fetch(client, () => throw Bug).Subscribe(observer);

        Assert.Same(Bug, await observer.Terminal.WaitAsync(AsyncObserver<Chunk>.Patience));
        Assert.False(faults.Fault.IsCompleted);
    }

    [Fact]
    public async Task EventSource_Request_CarriesAcceptNoCacheTheUsersHeadersInTheirPlaceAndTheGivenLastEventId()
    {
        var seen = new List<string>();
        using var client = new HttpClient(new StubHandler((request, _) =>
        {
            // Read at send time: the request and its content are disposed once the attempt ends.
            seen.Add($"Accept: {request.Headers.Accept}");
            seen.Add($"Cache-Control: {request.Headers.CacheControl}");
            seen.Add($"Last-Event-ID: {string.Join(",", request.Headers.GetValues("Last-Event-ID"))}");
            seen.Add($"X-Trace: {string.Join(",", request.Headers.GetValues("X-Trace"))}");
            seen.Add($"content X-Trace: {request.Content!.Headers.Contains("X-Trace")}");
            seen.Add($"Content-Language: {request.Content.Headers.ContentLanguage}");
            return Response("data: a\n\n");
        }));
        var options = new EventSourceOptions
        {
            Method = HttpMethod.Post,
            Content = () => new StringContent("{}"),
            Headers = [new("X-Trace", "1"), new("Content-Language", "de")],
            LastEventId = "41",
            Reconnect = null,
        };
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, Url, options).Subscribe(observer);
        await observer.CompletedAsync();

        // A header that belongs to the content (Content-Language) goes there; any other stays on the request only.
        Assert.Equal(["Accept: text/event-stream", "Cache-Control: no-cache", "Last-Event-ID: 41", "X-Trace: 1", "content X-Trace: False", "Content-Language: de"], seen);
    }

    [Fact]
    public async Task EventSource_NonAsciiLastEventIdRefusedByTheHandler_FailsWithAnErrorThatSaysWhatToDo()
    {
        var refused = new HttpRequestException("Request headers must contain only ASCII characters.");
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(refused)));
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, Url, new EventSourceOptions { LastEventId = "é", Reconnect = null }).Subscribe(observer);

        var error = Assert.IsType<RxStreamException>(await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.StartsWith("The last event ID is not ASCII and this HttpClient's handler refuses non-ASCII header values", error.Message);
        Assert.Same(refused, error.InnerException);
    }

    [Theory]
    [InlineData("41", false)]
    [InlineData("é", true)]
    public async Task EventSource_HandlerErrorThatIsNotTheAsciiRefusal_FailsWithThatErrorUnwrapped(string lastEventId, bool withInner)
    {
        // With an ASCII ID the refusal cannot be the cause; with an inner exception (a socket's, say) or a known
        // HttpRequestError, the handler said what went wrong.
        var failure = withInner
            ? new HttpRequestException("connection refused", new IOException("refused"))
            : new HttpRequestException("something else");
        var other = new HttpRequestException(HttpRequestError.ConnectionError, "no route");
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(failure)));
        using var otherClient = new HttpClient(new StubHandler((_, _) => Task.FromException<HttpResponseMessage>(other)));
        var observer = new AsyncObserver<SseEvent>();
        var otherObserver = new AsyncObserver<SseEvent>();
        var options = new EventSourceOptions { LastEventId = lastEventId, Reconnect = null };

        using var subscription = StreamObservable.EventSource(client, Url, options).Subscribe(observer);
        using var otherSubscription = StreamObservable.EventSource(otherClient, Url, options with { LastEventId = "é" }).Subscribe(otherObserver);

        Assert.Same(failure, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.Same(other, await otherObserver.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
    }

    [Fact]
    public async Task EventSource_ConfigureRequestThrowsACancellationOfItsOwn_FailsWithItAndDisposesTheRequest()
    {
        var cancelled = new OperationCanceledException("the user's own cancellation");
        HttpRequestMessage? built = null;
        var handler = Respond("data: a\n\n");
        using var client = new HttpClient(handler);
        var options = new EventSourceOptions
        {
            Method = HttpMethod.Post,
            Content = () => new ByteArrayContent([1, 2, 3]),
            ConfigureRequest = (request, _) =>
            {
                built = request;
                throw cancelled;
            },
            Reconnect = null,
        };
        var observer = new AsyncObserver<SseEvent>();

        using var subscription = StreamObservable.EventSource(client, Url, options).Subscribe(observer);

        // Not disposal, and no idle timeout is set: the cancellation is the attempt's error as it is.
        Assert.Same(cancelled, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.Empty(handler.Requests);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => built!.Content!.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task EventSource_HandlerAnswersOnAThreadWithASynchronizationContext_NoContinuationIsPostedToIt()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        var body = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        using var client = new HttpClient(new StubHandler((_, _) => answer.Task));
        var observer = new AsyncObserver<SseEvent>();
        var ui = new PostCountingContext();

        using var subscription = StreamObservable.EventSource(client, Url, new EventSourceOptions { Reconnect = null }).Subscribe(observer);

        // A handler answers on a UI thread: the loop runs on there until it waits for the body, and must not capture
        // that thread's context, or the rest of the stream would be posted to a thread that may be busy (here: never runs it).
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(ui);
        try
        {
            answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(body.Reader.AsStream()) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
            });
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        await body.Writer.WriteAsync("data: a\n\n"u8.ToArray());

        // A continuation posted to the UI context would never run: the event would never come.
        await observer.FirstValue.WaitAsync(AsyncObserver<SseEvent>.Patience);
        Assert.Equal("a", Assert.Single(observer.Values).Data);
        Assert.Equal(0, ui.Posts);
    }

    [Fact]
    public void DeserializeJson_WebSocketMessageConverterThrows_FailsThroughOnError()
    {
        var messages = Observable.Return(Chunk.FromString("\"x\"", ChunkKind.Text, endOfMessage: true));
        var error = default(Exception);

        using var subscription = messages.DeserializeJson(ThrowingConverter.TypeInfo).Subscribe(_ => { }, e => error = e);

        Assert.Same(ThrowingConverter.Bug, error);
    }

    [Fact]
    public void DeserializeJson_EventConverterThrows_FailsThroughOnError()
    {
        var events = Observable.Return(Chunk.FromString("data: \"x\"\n\n")).ParseSse();
        var error = default(Exception);

        using var subscription = events.DeserializeJson(ThrowingConverter.TypeInfo).Subscribe(_ => { }, e => error = e);

        Assert.Same(ThrowingConverter.Bug, error);
    }

    private static StubHandler Respond(string body) => new((_, _) => Response(body));

    private static Task<HttpResponseMessage> Response(string body) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
    });
}
