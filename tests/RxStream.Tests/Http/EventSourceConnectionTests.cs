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

    private static StubHandler Respond(string body) => new((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
    }));
}
