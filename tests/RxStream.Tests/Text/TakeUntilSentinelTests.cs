using System.Reactive.Linq;
using System.Text;
using CsCheck;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;
using RxStream.Text;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Text;

public class TakeUntilSentinelTests
{
    [Fact]
    public void TakeUntilSentinel_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.TakeUntilSentinel((IObservable<string>)null!, "x")).ParamName);
        Assert.Equal("sentinel", Assert.Throws<ArgumentException>(() => Observable.Empty<string>().TakeUntilSentinel(string.Empty)).ParamName);
        Assert.Equal("sentinel", Assert.Throws<ArgumentException>(() => Observable.Empty<Chunk>().TakeUntilSentinel(ReadOnlyMemory<byte>.Empty)).ParamName);
        Assert.Equal("isSentinel", Assert.Throws<ArgumentNullException>(() => Observable.Empty<int>().TakeUntilSentinel((Func<int, bool>)null!)).ParamName);
    }

    [Fact]
    public void TakeUntilSentinel_SentinelSplitAcrossThreePieces_EmitsWhatCameBeforeAndHoldsOnlyAPossiblePrefix()
    {
        var values = new List<string>();
        var completed = false;
        new[] { "answer L", "L", "M-E", "OF tail" }.ToObservable().TakeUntilSentinel("LLM-EOF").Subscribe(values.Add, () => completed = true);

        Assert.Equal(["answer "], values);
        Assert.True(completed);
    }

    [Fact]
    public void TakeUntilSentinel_FalseStart_IsReleasedAsSoonAsItCannotBeTheSentinel()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, "a LL"), OnNext(400, "Mx"), OnNext(500, "LLM-EOF"), OnNext(600, "after"));

        var observer = scheduler.Start(() => source.TakeUntilSentinel("LLM-EOF"));

        Assert.Equal([OnNext(300, "a "), OnNext(400, "LLMx"), OnCompleted<string>(500)], observer.Messages);
        Assert.Equal([Subscribe(200, 500)], source.Subscriptions);
    }

    [Fact]
    public void TakeUntilSentinel_Options_IncludeTheSentinelOrFailWhenItIsMissing()
    {
        var included = new List<string>();
        new[] { "a LLM-", "EOF" }.ToObservable().TakeUntilSentinel("LLM-EOF", new SentinelOptions { IncludeSentinel = true }).Subscribe(included.Add);
        Assert.Equal(["a ", "LLM-EOF"], included);

        var seen = new List<string>();
        var completed = false;
        new[] { "a LLM-" }.ToObservable().TakeUntilSentinel("LLM-EOF", new SentinelOptions { ErrorIfMissing = false }).Subscribe(seen.Add, () => completed = true);
        Assert.Equal("a LLM-", string.Concat(seen));
        Assert.True(completed);
    }

    [Fact]
    public void TakeUntilSentinel_StreamEndsWithoutSentinelByDefault_FailsAfterEverythingItCarried()
    {
        Assert.True(new SentinelOptions().ErrorIfMissing);

        var text = new List<string>();
        Exception? error = null;
        new[] { "a trunc", "ated LLM-" }.ToObservable().TakeUntilSentinel("LLM-EOF").Subscribe(text.Add, e => error = e);
        Assert.Equal("a truncated LLM-", string.Concat(text));
        Assert.IsType<SentinelNotFoundException>(error);

        var bytes = new List<Chunk>();
        error = null;
        Observable.Return(Chunk.Copy("a LLM-"u8)).TakeUntilSentinel("LLM-EOF"u8.ToArray()).Subscribe(bytes.Add, e => error = e);
        Assert.Equal("a LLM-"u8.ToArray(), bytes.SelectMany(c => c.Data.ToArray()));
        Assert.IsType<SentinelNotFoundException>(error);

        var events = new List<string>();
        error = null;
        ParseSseTestsBridge.Parse("data: a\n\n").TakeUntilSentinel(e => e.Data == "[DONE]").Subscribe(e => events.Add(e.Data), e => error = e);
        Assert.Equal(["a"], events);
        Assert.IsType<SentinelNotFoundException>(error);
    }

    [Fact]
    public void TakeUntilSentinel_Predicate_StopsAnOpenAiStreamAtDone()
    {
        var events = ParseSseTestsBridge.Parse("data: {\"a\":1}\n\ndata: [DONE]\n\ndata: never\n\n");
        var seen = new List<string>();
        var completed = false;
        events.TakeUntilSentinel(e => e.Data == "[DONE]").Subscribe(e => seen.Add(e.Data), () => completed = true);

        Assert.Equal(["{\"a\":1}"], seen);
        Assert.True(completed);
    }

    public static TheoryData<string, string[], string[]> HeldCases => new()
    {
        // The sentinel's first byte starts the piece's tail: held, then completed by the next piece.
        { "aab", ["xa", "ab!"], ["x"] },
        { "LLM-EOF", ["xLLM-EO", "F tail"], ["x"] },
        // A false start held back is emitted before a match that follows it at once.
        { "aab", ["aa", "aab"], ["aa"] },
        // Overlaps: what was held is a prefix, and the next piece finishes it at once.
        { "abab", ["aba", "bab"], [] },
        { "abab", ["xab", "aab", "ab"], ["x", "aba"] },
        // A candidate still open after a short piece keeps both pieces.
        { "LLM-EOF", ["LL", "M-", "EOF"], [] },
        // A held start that the next piece breaks is released whole.
        { "LLM-EOF", ["LLM-", "X"], ["LLM-X"] },
        { "L", ["aL"], ["a"] },
    };

    [Theory]
    [MemberData(nameof(HeldCases))]
    public void TakeUntilSentinel_HeldPrefixes_AreEmittedOrDroppedExactlyAsTheMatchRequires(string sentinel, string[] pieces, string[] expected)
    {
        // Only what is held back and let go is under test here, so a stream without the sentinel may end normally.
        var optional = new SentinelOptions { ErrorIfMissing = false };
        var texts = new List<string>();
        var textCompleted = false;
        pieces.ToObservable().TakeUntilSentinel(sentinel, optional).Subscribe(texts.Add, () => textCompleted = true);

        var chunks = new List<string>();
        var bytesCompleted = false;
        pieces.Select(p => Chunk.FromString(p)).ToObservable().TakeUntilSentinel(Encoding.UTF8.GetBytes(sentinel), optional).Subscribe(c => chunks.Add(c.GetString()), () => bytesCompleted = true);

        Assert.Equal(expected, texts);
        Assert.Equal(expected, chunks);
        Assert.True(textCompleted && bytesCompleted);
    }

    [Theory]
    [InlineData("LLM-EOF", "takeUntilSnt")]
    [InlineData("aab", "takeUntilAab")]
    [InlineData("abab", "takeUntilAbb")]
    [InlineData("L", "takeUntilL00")]
    public void TakeUntilSentinel_AnySplit_EqualsIndexOfOnTheWhole(string sentinel, string seed)
    {
        var sentinelBytes = Encoding.UTF8.GetBytes(sentinel);
        var found = 0;
        Chunking.Split(TextGen.SentinelText, maxCuts: 12).SampleSeeded(
            sample =>
            {
                var text = Encoding.UTF8.GetString(sample.Data);
                var index = text.IndexOf(sentinel, StringComparison.Ordinal);
                var expected = index < 0 ? text : text[..index];
                found += index < 0 ? 0 : 1;

                var (values, error, completed) = Chunking.Run(sample.Chunks, s => s.DecodeUtf8().TakeUntilSentinel(sentinel));
                Assert.Equal(index >= 0, completed);
                Assert.Equal(index < 0, error is SentinelNotFoundException);
                Assert.DoesNotContain(string.Empty, values);
                Assert.Equal(expected, string.Concat(values));

                var bytes = Chunking.Run(sample.Chunks, s => s.TakeUntilSentinel(sentinelBytes));
                var byteIndex = sample.Data.AsSpan().IndexOf(sentinelBytes);
                Assert.Equal(byteIndex >= 0, bytes.Completed);
                Assert.Equal(byteIndex < 0, bytes.Error is SentinelNotFoundException);
                Assert.DoesNotContain(bytes.Values, c => c.Length == 0);
                Assert.Equal(byteIndex < 0 ? sample.Data : sample.Data[..byteIndex], bytes.Values.SelectMany(c => c.Data.ToArray()));

                var withSentinel = Chunking.Run(sample.Chunks, s => s.TakeUntilSentinel(sentinelBytes, new SentinelOptions { IncludeSentinel = true, ErrorIfMissing = true }));
                Assert.Equal(byteIndex < 0 ? sample.Data : sample.Data[..(byteIndex + sentinelBytes.Length)], withSentinel.Values.SelectMany(c => c.Data.ToArray()));
                Assert.Equal(byteIndex < 0, withSentinel.Error is SentinelNotFoundException);
            },
            seed: seed,
            iter: 10_000);

        // The generator must exercise both outcomes, or the property checks pass-through only.
        var samples = Seeded.Iterations(10_000);
        Assert.InRange(found, samples / 5, samples * 9 / 10);
    }

    [Fact]
    public void TakeUntilSentinel_BytesFalseStartAtAChunksTail_IsHeldThenReleasedAndTheMatchDisposesUpstream()
    {
        // The sentinel's first byte starts the tail of the piece at 300 and is held; at 400 it turns out a false start
        // and goes out joined with that piece (of the source's kind); at 500 a tail "LL" is held and completed at 600.
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(
            OnNext(300, Chunk.FromString("ab L", ChunkKind.Text)),
            OnNext(400, Chunk.FromString("Lx", ChunkKind.Text)),
            OnNext(500, Chunk.FromString("cLL", ChunkKind.Text)),
            OnNext(600, Chunk.FromString("M-EOF tail", ChunkKind.Text)),
            OnNext(700, Chunk.FromString("never", ChunkKind.Text)));

        var observer = scheduler.Start(() => source.TakeUntilSentinel("LLM-EOF"u8.ToArray()));

        Assert.Equal(
            [OnNext(300, "ab "), OnNext(400, "LLx"), OnNext(500, "c"), OnCompleted<string>(600)],
            observer.Messages.Select(m => m.Value.Kind == System.Reactive.NotificationKind.OnNext
                ? OnNext(m.Time, m.Value.Value.GetString())
                : OnCompleted<string>(m.Time)));
        Assert.All(observer.Messages.Where(m => m.Value.HasValue), m => Assert.Equal(ChunkKind.Text, m.Value.Value.Kind));
        Assert.Equal([Subscribe(200, 600)], source.Subscriptions);
    }

    [Fact]
    public void TakeUntilSentinel_BytesPieceThatCannotBeginTheSentinel_IsForwardedAsTheSameChunk()
    {
        // Nothing held and nothing to hold: the piece goes on as it came, without a copy, message boundary included.
        var original = new Chunk("a message"u8.ToArray(), ChunkKind.Text, endOfMessage: true);
        var forwarded = new List<Chunk>();
        Observable.Return(original).TakeUntilSentinel("[DONE]"u8.ToArray(), new SentinelOptions { ErrorIfMissing = false }).Subscribe(forwarded.Add);

        var only = Assert.Single(forwarded);
        Assert.True(only.Data.Equals(original.Data));
        Assert.True(only.IsEndOfMessage);
    }

    [Fact]
    public void TakeUntilSentinel_BytesOverMessages_KeepsEachMessagesKindAndEndAndNeverJoinsTwoMessages()
    {
        // WebSocket messages: "ab L" ends a message, so its "L" cannot begin a sentinel finished by the next message and
        // goes out at once, as the end of that message; a frame "LL" that does not end its message is held and joined
        // with the rest of its own message. The tail held at completion keeps its kind, and does not claim an end.
        static Chunk Text(string text, bool end) => Chunk.FromString(text, ChunkKind.Text, end);
        var pieces = new[] { Text("ab L", true), Text("LM-EOF", true), Text("x LL", false), Text("y", true), Text("z LLM-", false) };

        var output = new List<Chunk>();
        Exception? error = null;
        pieces.ToObservable().TakeUntilSentinel("LLM-EOF"u8.ToArray()).Subscribe(output.Add, e => error = e);

        Assert.Equal([Text("ab L", true), Text("LM-EOF", true), Text("x ", false), Text("LLy", true), Text("z ", false), Text("LLM-", false)], output);
        Assert.IsType<SentinelNotFoundException>(error);
    }

    [Fact]
    public void TakeUntilSentinel_BytesSentinelEndingAMessage_IncludedAsThatMessagesEnd()
    {
        static Chunk Binary(string text, bool end) => Chunk.FromString(text, ChunkKind.Binary, end);
        var output = new List<Chunk>();

        new[] { Binary("data E", false), Binary("OF", true), Binary("after", true) }.ToObservable()
            .TakeUntilSentinel("EOF"u8.ToArray(), new SentinelOptions { IncludeSentinel = true })
            .Subscribe(output.Add);

        Assert.Equal([Binary("data ", false), Binary("EOF", true)], output);
    }

    [Theory]
    [InlineData("abc EOF", true, true)]
    [InlineData("abc EOF tail", true, false)]
    [InlineData("abc EOF", false, false)]
    public void TakeUntilSentinel_BytesSentinelInsideOneMessage_OnlyWhatEndsTheMessageSaysSo(string text, bool endsMessage, bool sentinelEndsMessage)
    {
        // The bytes before the sentinel never end the message (the sentinel follows them in it); the sentinel does
        // exactly when the message ends right after it.
        var output = new List<Chunk>();

        Observable.Return(Chunk.FromString(text, ChunkKind.Text, endsMessage))
            .TakeUntilSentinel("EOF"u8.ToArray(), new SentinelOptions { IncludeSentinel = true })
            .Subscribe(output.Add);

        Assert.Equal([Chunk.FromString("abc ", ChunkKind.Text, false), Chunk.FromString("EOF", ChunkKind.Text, sentinelEndsMessage)], output);
    }

    [Fact]
    public void TakeUntilSentinel_PredicateIncludeSentinel_EmitsTheMatchingItemThenCompletes()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, 1), OnNext(400, 0), OnNext(500, 2));

        var observer = scheduler.Start(() => source.TakeUntilSentinel(x => x == 0, new SentinelOptions { IncludeSentinel = true }));

        Assert.Equal([OnNext(300, 1), OnNext(400, 0), OnCompleted<int>(400)], observer.Messages);
        Assert.Equal([Subscribe(200, 400)], source.Subscriptions);
    }

    [Fact]
    public void TakeUntilSentinel_PredicateThrows_IsTheStreamsErrorAndNothingFollows()
    {
        var failure = new InvalidOperationException("bad item");
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, 1), OnNext(400, 7), OnNext(500, 0), OnCompleted<int>(600));

        var observer = scheduler.Start(() => source.TakeUntilSentinel(x => x == 7 ? throw failure : x == 0));

        Assert.Equal([OnNext(300, 1), OnError<int>(400, failure)], observer.Messages);
        Assert.Equal([Subscribe(200, 400)], source.Subscriptions);
    }

    [Fact]
    public void TakeUntilSentinel_PredicateOptionalSentinelMissing_CompletesAfterEveryItem()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, 1), OnNext(400, 2), OnCompleted<int>(500));

        var observer = scheduler.Start(() => source.TakeUntilSentinel(x => x == 0, new SentinelOptions { ErrorIfMissing = false }));

        Assert.Equal([OnNext(300, 1), OnNext(400, 2), OnCompleted<int>(500)], observer.Messages);
    }

    [Fact]
    public void TakeUntilSentinel_TextHeldTailAtCompletion_IsEmittedBeforeTheMissingSentinelError()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, "a LLM-E"), OnCompleted<string>(400));

        var observer = scheduler.Start(() => source.TakeUntilSentinel("LLM-EOF"));

        Assert.Equal(3, observer.Messages.Count);
        Assert.Equal([OnNext(300, "a "), OnNext(400, "LLM-E")], observer.Messages.Take(2));
        Assert.IsType<SentinelNotFoundException>(observer.Messages[2].Value.Exception);
        Assert.Equal(400, observer.Messages[2].Time);
    }

    private static class ParseSseTestsBridge
    {
        public static IObservable<SseEvent> Parse(string stream) => Observable.Return(Chunk.FromString(stream)).ParseSse();
    }
}
