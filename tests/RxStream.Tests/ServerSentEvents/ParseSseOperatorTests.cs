using System.Net;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.ServerSentEvents;

[Collection(ObserverFaultCollection.Name)]
public sealed class ParseSseOperatorTests
{
    private static readonly InvalidOperationException Bug = new("the user's callback bug");

    [Fact]
    public void ParseSse_NullSource_ThrowsForSource() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.ParseSse(null!)).ParamName);

    [Fact]
    public async Task ParseSse_OnCommentThrowsOverFromStream_FailsThroughOnErrorNotTheUnhandledPath()
    {
        using var faults = new ObserverFaultCapture();
        var observer = new AsyncObserver<SseEvent>();
        var options = new SseParserOptions { OnComment = _ => throw Bug };

        using var subscription = StreamObservable.FromStream(new MemoryStream("data: a\n\n: ping\ndata: b\n\n"u8.ToArray())).ParseSse(options).Subscribe(observer);

        Assert.Same(Bug, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.Equal(["a"], observer.Values.Select(e => e.Data));
        Assert.False(faults.Fault.IsCompleted);
    }

    [Fact]
    public async Task ParseSse_OnRetryThrowsOverFetch_FailsThroughOnErrorNotTheUnhandledPath()
    {
        using var faults = new ObserverFaultCapture();
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent("data: a\n\nretry: 10\ndata: b\n\n"u8.ToArray()),
        })));
        var observer = new AsyncObserver<SseEvent>();
        var options = new SseParserOptions { OnRetry = _ => throw Bug };

        using var subscription = StreamObservable.Fetch(client, new Uri("http://127.0.0.1/events")).ParseSse(options).Subscribe(observer);

        Assert.Same(Bug, await observer.Terminal.WaitAsync(AsyncObserver<SseEvent>.Patience));
        Assert.Equal(["a"], observer.Values.Select(e => e.Data));
        Assert.False(faults.Fault.IsCompleted);
    }

    [Fact]
    public void ParseSse_OnCommentThrows_ErrorAfterTheEventsBeforeIt()
    {
        var (values, error, completed) = Chunking.Run(
            [Chunk.FromString("data: a\n\n: ping\n")],
            source => source.ParseSse(new SseParserOptions { OnComment = _ => throw Bug }));

        Assert.Same(Bug, error);
        Assert.False(completed);
        Assert.Equal(["a"], values.Select(e => e.Data));
    }

    [Fact]
    public void ParseSse_DisposedInsideOnNext_NoCallbackForTheRestOfTheChunk()
    {
        var source = new Subject<Chunk>();
        var calls = new List<string>();
        var options = new SseParserOptions { OnComment = text => calls.Add("comment " + text), OnRetry = delay => calls.Add("retry " + delay.TotalMilliseconds) };
        var subscription = default(IDisposable);
        subscription = source.ParseSse(options).Subscribe(e =>
        {
            calls.Add("event " + e.Data);
            subscription!.Dispose();
        });

        source.OnNext(Chunk.FromString(": before\ndata: a\n\n: after\nretry: 5\ndata: b\n\n"));

        Assert.Equal(["comment  before", "event a"], calls);
        Assert.False(source.HasObservers);
    }

    [Fact]
    public void ParseSse_DisposedInsideOnComment_NoFurtherCallback()
    {
        var source = new Subject<Chunk>();
        var calls = new List<string>();
        var subscription = default(IDisposable);
        var options = new SseParserOptions
        {
            OnComment = text =>
            {
                calls.Add("comment " + text);
                subscription!.Dispose();
            },
        };
        subscription = source.ParseSse(options).Subscribe(e => calls.Add("event " + e.Data));

        source.OnNext(Chunk.FromString(":one\n:two\ndata: a\n\n"));

        Assert.Equal(["comment one"], calls);
    }

    public static TheoryData<string> Ends => new() { "complete", "error", "dispose between chunks", "dispose inside OnNext", "observer throws", "limit", "callback throws" };

    [Theory]
    [MemberData(nameof(Ends))]
    public void ParseSse_AnyEnd_ReturnsEveryPooledBuffer(string end)
    {
        var options = new SseParserOptions { MaxEventSize = 64, OnComment = _ => { if (end == "callback throws") { throw Bug; } } };

        // A line torn across chunks fills the line buffer and a data line the data buffer, and both stay rented.
        PooledBufferEnds.Check(
            end,
            (source, pool) => new ParseSseOperator(source, options, pool),
            [Chunk.FromString("data: fir"), Chunk.FromString("st\ndata: second line of the event")],
            held: 2,
            next: Chunk.FromString("\n\ndata: more\n"),
            own: source =>
            {
                switch (end)
                {
                    case "limit":
                        source.OnNext(Chunk.FromString("\ndata: " + new string('x', 100) + "\n"));
                        return true;
                    case "callback throws":
                        source.OnNext(Chunk.FromString("\n:comment\n"));
                        return true;
                    default:
                        return false;
                }
            });
    }

    [Fact]
    public async Task ParseSse_DisposedFromAnotherThreadWhileFeeding_BuffersGoBackOnceAfterTheFeed()
    {
        var pool = new CountingArrayPool();
        var source = new Subject<Chunk>();
        using var inOnNext = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        var subscription = new ParseSseOperator(source, new SseParserOptions(), pool).Subscribe(_ =>
        {
            inOnNext.Set();
            disposed.Wait(AsyncObserver<Chunk>.Patience);
        });

        var feed = Task.Run(() => source.OnNext(Chunk.FromString("data: a\n\ndata: b")));
        Assert.True(inOnNext.Wait(AsyncObserver<Chunk>.Patience));
        subscription.Dispose();

        // The feeder still reads the chunk's buffers: disposal must leave them to it.
        Assert.Equal(1, pool.Outstanding);
        disposed.Set();
        await feed.WaitAsync(AsyncObserver<Chunk>.Patience);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void ParseSse_LongLineAndLongEvent_GrowTheirBuffersGeometricallyWithinTheLimitAndGiveTheOldOnesBack()
    {
        // A 39,006-byte line arrives 1,000 bytes at a time under a 40,000-byte line limit, then an event of 40 data
        // lines of 1,000 bytes: each buffer doubles (a few rents, not one per piece), never past the line limit,
        // and the outgrown one goes back at once; a line buffer over 4 KiB goes back when its line ends.
        var pool = new SizeRecordingPool();
        var source = new Subject<Chunk>();
        var events = new List<SseEvent>();
        using var subscription = new ParseSseOperator(source, new SseParserOptions { MaxLineLength = 40_000 }, pool).Subscribe(events.Add);

        source.OnNext(Chunk.FromString("data: "));
        for (var i = 0; i < 39; i++)
        {
            source.OnNext(Chunk.FromString(new string('x', 1000)));
            Assert.Equal(1, pool.Outstanding);
        }

        source.OnNext(Chunk.FromString("\n\n"));
        Assert.Equal(39_000, Assert.Single(events).Data.Length);
        Assert.Equal(1, pool.Outstanding);
        var lineRents = pool.Sizes.Count - 1;
        Assert.InRange(lineRents, 2, 10);
        Assert.All(pool.Sizes, size => Assert.InRange(size, 1, 40_000));
        Assert.Equal(40_000, pool.Sizes[lineRents - 1]);

        var dataPool = new SizeRecordingPool();
        var dataSource = new Subject<Chunk>();
        var dataEvents = new List<SseEvent>();
        using var dataSubscription = new ParseSseOperator(dataSource, new SseParserOptions(), dataPool).Subscribe(dataEvents.Add);
        dataSource.OnNext(Chunk.FromString(string.Concat(Enumerable.Repeat("data: " + new string('y', 999) + "\n", 40)) + "\n"));
        Assert.Equal((40 * 1000) - 1, Assert.Single(dataEvents).Data.Length);
        Assert.Equal(1, dataPool.Outstanding);
        Assert.InRange(dataPool.Sizes.Count, 2, 8);
        Assert.All(dataPool.Sizes, size => Assert.InRange(size, 1, 2 * 40 * 1000));
    }

    private sealed class SizeRecordingPool : System.Buffers.ArrayPool<byte>
    {
        public List<int> Sizes { get; } = [];

        public int Outstanding { get; private set; }

        public override byte[] Rent(int minimumLength)
        {
            Sizes.Add(minimumLength);
            Outstanding++;
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Outstanding--;
    }
}
