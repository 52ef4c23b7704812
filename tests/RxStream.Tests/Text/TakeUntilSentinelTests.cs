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

    [Theory]
    [InlineData("LLM-EOF")]
    [InlineData("aab")]
    [InlineData("abab")]
    [InlineData("L")]
    public void TakeUntilSentinel_AnySplit_EqualsIndexOfOnTheWhole(string sentinel)
    {
        Chunking.Split(TextGen.ValidText).Sample(
            sample =>
            {
                var text = Encoding.UTF8.GetString(sample.Data);
                var index = text.IndexOf(sentinel, StringComparison.Ordinal);
                var expected = index < 0 ? text : text[..index];

                var (values, error, completed) = Chunking.Run(sample.Chunks, s => s.DecodeUtf8().TakeUntilSentinel(sentinel));
                Assert.Equal(index >= 0, completed);
                Assert.Equal(index < 0, error is SentinelNotFoundException);
                Assert.DoesNotContain(string.Empty, values);
                Assert.Equal(expected, string.Concat(values));

                var bytes = Chunking.Run(sample.Chunks, s => s.TakeUntilSentinel(Encoding.UTF8.GetBytes(sentinel)));
                var byteIndex = sample.Data.AsSpan().IndexOf(Encoding.UTF8.GetBytes(sentinel));
                Assert.Equal(byteIndex < 0 ? sample.Data : sample.Data[..byteIndex], bytes.Values.SelectMany(c => c.Data.ToArray()));
            },
            iter: 10_000);
    }

    private static class ParseSseTestsBridge
    {
        public static IObservable<SseEvent> Parse(string stream) => Observable.Return(Chunk.FromString(stream)).ParseSse();
    }
}
