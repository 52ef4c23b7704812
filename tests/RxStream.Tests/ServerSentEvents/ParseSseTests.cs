using System.Net.ServerSentEvents;
using System.Text;
using CsCheck;
using RxStream.ServerSentEvents;
using RxStream.Testing;
using RxStream.Tests.Testing;

namespace RxStream.Tests.ServerSentEvents;

public class ParseSseTests
{
    public static TheoryData<string, string[]> SpecCases => new()
    {
        // Spec example: "The following stream fires two events" (data joined with LF, the final LF removed).
        { "data: YHOO\ndata: +2\ndata: 10\n\n", ["message||YHOO\n+2\n10"] },
        // Spec example: four blocks; the first is a comment, the id persists, the last block dispatches nothing but its data.
        { ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n", ["message|1|first event", "message||second event"] },
        // Spec example: "The following stream fires two identical events" (one leading space removed, only one).
        { "data:test\n\ndata: test\n\n", ["message||test", "message||test"] },
        // Spec example: data lines with an empty value, and a field with no colon.
        { "data\n\ndata\ndata\n\ndata:\n", ["message||", "message||\n"] },
        { "data:  two spaces\n\n", ["message|| two spaces"] },
        { "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\ndata: x\n\n", ["add||73857293", "remove||2153", "message||x"] },
        { "event: add\n\ndata: x\n\n", ["message||x"] },
        { "id: 1\n\ndata: x\n\n", ["message|1|x"] },
        { "id: 1\ndata: a\n\nid:\ndata: b\n\n", ["message|1|a", "message||b"] },
        { "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", ["message|1|a", "message|1|b"] },
        { "data: a\rdata: b\r\ndata: c\n\r\n", ["message||a\nb\nc"] },
        { "\uFEFFdata: bom\n\n", ["message||bom"] },
        { "\uFEFF\uFEFFdata: bom\n\n\uFEFFdata: x\n\n", [] },
        { "data: a\n\n\uFEFFdata: b\n\n", ["message||a"] },
        { "foo: bar\ndata: x\nData: y\n\n", ["message||x"] },
        { "data: x\n\ndata: never dispatched", ["message||x"] },
        { "retry: 100\ndata: x\n\n", ["message||x"] },
        { ":comment\ndata:x\n:another\n\n", ["message||x"] },
        { "data:x:y\n\n", ["message||x:y"] },
        { "event:\ndata: x\n\n", ["message||x"] },
        { "id: é🙂\ndata: x\n\n", ["message|é🙂|x"] },
    };

    [Fact]
    public void ParseSse_NullArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.ParseSse(null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { MaxLineLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SseParserOptions { MaxEventSize = -1 });
    }

    [Theory]
    [MemberData(nameof(SpecCases))]
    public void ParseSse_SpecRule_MatchesEventSourceWholeAndByteByByte(string stream, string[] expected)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        Assert.Equal(expected, Describe(Parse(ChunkSplits.Whole(bytes))));
        Assert.Equal(expected, Describe(Parse(ChunkSplits.OneByteAtATime(bytes))));
    }

    [Fact]
    public void ParseSse_InvalidUtf8_BecomesReplacementCharactersByMaximalSubparts()
    {
        byte[] bytes = [.. "data: a"u8, 0xFF, (byte)'b', 0xE2, 0x82, (byte)'c', 0xF0, 0x9F, 0x99, .. "\n\n"u8];
        Assert.Equal("a\uFFFDb\uFFFDc\uFFFD", Assert.Single(Parse(ChunkSplits.OneByteAtATime(bytes))).Data);
    }

    [Fact]
    public void ParseSse_CrlfSplitAcrossChunks_CountsAsOneLineEnd()
    {
        var bytes = "data: a\r\n\r\ndata: b\r\n\r\n"u8.ToArray();
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(["message||a", "message||b"], Describe(Parse(ChunkSplits.At(bytes, [cut]))));
        }
    }

    [Fact]
    public void ParseSse_BomSplitAcrossChunks_IsIgnoredButAPartialBomIsData()
    {
        Assert.Equal(["message||x"], Describe(Parse(ChunkSplits.At([0xEF, 0xBB, 0xBF, .. "data: x\n\n"u8], [1, 2]))));
        byte[] partial = [0xEF, 0xBB, .. "data: x\n\ndata: y\n\n"u8];
        Assert.Equal(["message||y"], Describe(Parse(ChunkSplits.At(partial, [1]))));
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1, 2 })]
    public void ParseSse_PartialBomHeldAcrossChunks_CountsTowardsTheFirstLineAsData(int[] cuts)
    {
        // Specification: WHATWG Encoding, "UTF-8 decode" strips only a whole EF BB BF; bytes that start like one and
        // stop are decoded with the rest of the stream, so the held EF (and BB) are part of the first line: with a
        // limit of 10, "EF BB" plus an 8-byte field is exactly 10 and passes, plus a 9-byte field is 11 and fails.
        var options = new SseParserOptions { MaxLineLength = 10 };
        byte[] fits = [0xEF, 0xBB, .. "12345678\ndata: x\n\n"u8];
        var (values, error, _) = Chunking.Run(ChunkSplits.At(fits, cuts), s => s.ParseSse(options));
        Assert.Null(error);
        Assert.Equal(["message||x"], Describe(values));

        byte[] over = [0xEF, 0xBB, .. "123456789\ndata: x\n\n"u8];
        (values, error, _) = Chunking.Run(ChunkSplits.At(over, cuts), s => s.ParseSse(options));
        Assert.Empty(values);
        Assert.Equal(nameof(SseParserOptions.MaxLineLength), Assert.IsType<StreamLimitExceededException>(error).LimitName);
    }

    [Fact]
    public void ParseSse_TwoBoms_StripsTheFirstAndKeepsTheSecondAsData()
    {
        // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present": one, not two.
        var options = new SseParserOptions { MaxLineLength = 10 };
        byte[] bytes = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "1234567\ndata: x\n\n"u8];
        var (values, error, _) = Chunking.Run(ChunkSplits.At(bytes, [1, 2, 3, 4]), s => s.ParseSse(options));
        Assert.Null(error);
        Assert.Equal(["message||x"], Describe(values));

        byte[] over = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "12345678\ndata: x\n\n"u8];
        (values, error, _) = Chunking.Run(ChunkSplits.At(over, [1, 2, 3, 4]), s => s.ParseSse(options));
        Assert.Empty(values);
        Assert.IsType<StreamLimitExceededException>(error);
    }

    [Fact]
    public void SseStreamParser_ReconnectLastEventId_WinsOverTheInitialOneAndCarriesToEventsWithoutAnId()
    {
        // Specification: WHATWG HTML 9.2.6, "Set event's lastEventId to the last event ID string": a reconnect
        // starts from the ID the previous connection ended with, not from the configured initial one.
        var events = new List<SseEvent>();
        using var parser = new SseStreamParser(new SseParserOptions { InitialLastEventId = "41" }, new Recorder(events), "77");
        Assert.Equal("77", parser.LastEventId);
        parser.Feed("data: a\n\nid: 9\ndata: b\n\ndata: c\n\n"u8);
        Assert.Equal(["message|77|a", "message|9|b", "message|9|c"], Describe(events));

        events.Clear();
        using var initial = new SseStreamParser(new SseParserOptions { InitialLastEventId = "41" }, new Recorder(events));
        Assert.Equal("41", initial.LastEventId);
        initial.Feed("data: a\n\n"u8);
        Assert.Equal(["message|41|a"], Describe(events));
    }

    [Fact]
    public void SseStreamParser_StoppedFromInsideAHandlerCall_ReportsNothingMoreFromThatPiece()
    {
        var events = new List<SseEvent>();
        SseStreamParser? parser = null;
        using var stopping = new SseStreamParser(new SseParserOptions(), new Recorder(events, () => parser!.Stop()));
        parser = stopping;
        parser.Feed("data: a\n\ndata: b\n\n"u8);
        parser.Feed("data: c\n\n"u8);
        Assert.Equal(["message||a"], Describe(events));
    }

    [Fact]
    public void ParseSse_DefaultFormat_HoldsTextAndUnnamedEventsAreMessages()
    {
        var item = Assert.Single(Parse(ChunkSplits.Whole("data: \u00e9\n\n"u8)));
        Assert.False(item.HoldsUtf8);
        Assert.Equal("message", item.EventType);
        Assert.Equal("\u00e9", item.Data);
    }

    [Fact]
    public void ParseSse_RetryField_ReportedOnlyWhenAllDigitsAndCarriedByItsEvent()
    {
        var retries = new List<TimeSpan>();
        var options = new SseParserOptions { OnRetry = retries.Add };
        var events = Chunking.Run(ChunkSplits.Whole("retry: 1500\n\nretry: 15x\nretry: -1\nretry:\nretry: 2000\ndata: a\n\ndata: b\n\n"u8), s => s.ParseSse(options)).Values;

        Assert.Equal([TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(2000)], retries);
        Assert.Equal([TimeSpan.FromMilliseconds(2000), null], events.Select(e => e.Retry));
    }

    [Theory]
    [InlineData("922337203685477", 922337203685477L)]
    [InlineData("922337203685478", -1L)]
    [InlineData("18446744073709551615", -1L)]
    [InlineData("000000000000000000000000000018446744073709551615", -1L)]
    public void ParseSse_RetryBeyondATimeSpanButWithin64Bits_MeansPracticallyNever(string digits, long milliseconds)
    {
        var retries = new List<TimeSpan>();
        var options = new SseParserOptions { OnRetry = retries.Add };

        Chunking.Run(ChunkSplits.Whole(System.Text.Encoding.ASCII.GetBytes($"retry: {digits}\n\n")), s => s.ParseSse(options));

        // A browser holds the value in 64 bits and waits it out; a TimeSpan saturates at its maximum (-1 here).
        Assert.Equal([milliseconds < 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds)], retries);
    }

    [Fact]
    public void ParseSse_RetryBeyond64Bits_IsIgnored()
    {
        var retries = new List<TimeSpan>();
        var options = new SseParserOptions { OnRetry = retries.Add };

        Chunking.Run(ChunkSplits.Whole("retry: 18446744073709551616\n\nretry: 5\n\n"u8), s => s.ParseSse(options));

        Assert.Equal([TimeSpan.FromMilliseconds(5)], retries);
    }

    [Fact]
    public void ParseSse_Comments_ReachTheCallbackButAreNotEvents()
    {
        var comments = new List<string>();
        var events = Chunking.Run(ChunkSplits.OneByteAtATime(": ping\n:\ndata: x\n\n"u8), s => s.ParseSse(new SseParserOptions { OnComment = comments.Add })).Values;

        Assert.Equal([" ping", ""], comments);
        Assert.Single(events);
    }

    [Fact]
    public void ParseSse_InitialLastEventId_IsReportedUntilTheServerSetsAnother()
    {
        var events = Chunking.Run(ChunkSplits.Whole("data: a\n\nid: 9\ndata: b\n\n"u8), s => s.ParseSse(new SseParserOptions { InitialLastEventId = "41" })).Values;
        Assert.Equal(["message|41|a", "message|9|b"], Describe(events));
    }

    [Fact]
    public void ParseSse_Utf8Format_HoldsBytesAndDecodesOnRequest()
    {
        var item = Assert.Single(Chunking.Run(ChunkSplits.Whole("data: é\n\n"u8), s => s.ParseSse(new SseParserOptions { DataFormat = SseDataFormat.Utf8 })).Values);
        Assert.True(item.HoldsUtf8);
        Assert.Equal("é"u8.ToArray(), item.DataUtf8.ToArray());
        Assert.Equal("é", item.Data);
    }

    [Fact]
    public void ParseSse_LineOverTheLimit_FailsTypedAfterTheEventsAlreadyDispatched()
    {
        var (values, error, _) = Chunking.Run(ChunkSplits.OneByteAtATime("data: ok\n\ndata: 0123456789\n\n"u8), s => s.ParseSse(new SseParserOptions { MaxLineLength = 10 }));

        Assert.Equal(["message||ok"], Describe(values));
        var limit = Assert.IsType<StreamLimitExceededException>(error);
        Assert.Equal(nameof(SseParserOptions.MaxLineLength), limit.LimitName);
    }

    [Fact]
    public void ParseSse_EventOverTheLimit_FailsTyped()
    {
        var (values, error, _) = Chunking.Run(ChunkSplits.Whole("data: 12345\n\ndata: 12345\ndata: 67890\n\n"u8), s => s.ParseSse(new SseParserOptions { MaxEventSize = 10 }));

        Assert.Single(values);
        Assert.Equal(nameof(SseParserOptions.MaxEventSize), Assert.IsType<StreamLimitExceededException>(error).LimitName);
    }

    [Theory]
    [InlineData("whole")]
    [InlineData("bytes")]
    [InlineData("sevens")]
    public void ParseSse_LineOfExactlyTheLimitPasses_OneByteMoreFailsHoweverItArrives(string chunking)
    {
        // "data: 0123" is 10 bytes, "data: 01234" is 11: the second fails whether the line is found inside one
        // chunk or assembled from several.
        var data = "data: 0123\n\ndata: 01234\n\ndata: never\n\n"u8.ToArray();
        var (values, error, _) = Chunking.Run(Chunked(data, chunking), s => s.ParseSse(new SseParserOptions { MaxLineLength = 10 }));

        Assert.Equal(["message||0123"], Describe(values));
        var limit = Assert.IsType<StreamLimitExceededException>(error);
        Assert.Equal((nameof(SseParserOptions.MaxLineLength), 10L), (limit.LimitName, limit.Limit));
    }

    [Theory]
    [InlineData("whole")]
    [InlineData("bytes")]
    [InlineData("sevens")]
    public void ParseSse_EventOfExactlyMaxEventSizePasses_OneByteMoreFails(string chunking)
    {
        // The data buffer of the first event is "12345\n6789": 10 bytes, the LF between lines counted, the last not.
        var data = "data: 12345\ndata: 6789\n\ndata: 12345\ndata: 67890\n\n"u8.ToArray();
        var (values, error, _) = Chunking.Run(Chunked(data, chunking), s => s.ParseSse(new SseParserOptions { MaxEventSize = 10 }));

        Assert.Equal(["message||12345\n6789"], Describe(values));
        var limit = Assert.IsType<StreamLimitExceededException>(error);
        Assert.Equal((nameof(SseParserOptions.MaxEventSize), 10L), (limit.LimitName, limit.Limit));
    }

    [Theory]
    [InlineData("whole")]
    [InlineData("bytes")]
    [InlineData("sevens")]
    public void ParseSse_DataAndLinesThatOutgrowTheirBuffers_ArriveIntact(string chunking)
    {
        // Each line is longer than the first buffer rented for a line or for the data (256 bytes), and the event
        // grows its data buffer twice: every byte copied into a grown buffer must keep its place.
        // The content differs from case to case: a pooled buffer that an earlier case filled must not pass for a copy.
        var salt = Interlocked.Increment(ref _growthRuns);
        var lines = Enumerable.Range(0, 4).Select(i => string.Concat(Enumerable.Range(0, 300).Select(j => (char)('a' + ((i + j + salt) % 26))))).ToArray();
        var text = $"event: long\n{string.Concat(lines.Select(l => $"data: {l}\n"))}\ndata: {lines[3]}{lines[2]}\n\ndata: short\n\n";
        var values = Chunking.Run(Chunked(Encoding.UTF8.GetBytes(text), chunking), s => s.ParseSse()).Values;

        Assert.Equal([$"long||{string.Join('\n', lines)}", $"message||{lines[3]}{lines[2]}", "message||short"], Describe(values));
        Assert.All(values, e => Assert.False(e.HoldsUtf8));
    }

    [Theory]
    [InlineData("whole")]
    [InlineData("bytes")]
    public void ParseSse_LineLongerThanTheRetainedBuffer_IsReadAndTheNextLinesToo(string chunking)
    {
        var big = new string('x', 5000);
        var text = $"data: {big}\n\ndata: a\n\n: {big}\ndata: b\n\n";
        var values = Chunking.Run(Chunked(Encoding.UTF8.GetBytes(text), chunking), s => s.ParseSse()).Values;

        Assert.Equal([$"message||{big}", "message||a", "message||b"], Describe(values));
    }

    [Fact]
    public void ParseSse_Utf8FormatNamedEvents_KeepTheirTypeAndTheRestAreMessages()
    {
        var data = "event: ping\ndata: 1\n\ndata: 2\n\nevent: add\nid: 5\ndata: 3\n\n"u8.ToArray();
        var values = Chunking.Run(ChunkSplits.OneByteAtATime(data), s => s.ParseSse(new SseParserOptions { DataFormat = SseDataFormat.Utf8 })).Values;

        Assert.All(values, e => Assert.True(e.HoldsUtf8));
        Assert.Equal(["ping||1", "message||2", "add|5|3"], Describe(values));
    }

    [Fact]
    public void ParseSse_RepeatedEventTypesAndIds_AreReadAgainWhenTheyChange()
    {
        // The parser reuses the previous string when the bytes spell it again: a change of any byte, or of length,
        // must still be seen.
        var data = "event: ab\nid: 1\ndata: x\n\nevent: ab\nid: 1\ndata: x\n\nevent: ac\nid: 2\ndata: x\n\nevent: abc\nid: 12\ndata: x\n\nevent: é\nid: é\ndata: x\n\n"u8.ToArray();
        Assert.Equal(["ab|1|x", "ab|1|x", "ac|2|x", "abc|12|x", "é|é|x"], Describe(Parse(ChunkSplits.Whole(data))));
    }

    private static int _growthRuns;

    private static Chunk[] Chunked(byte[] data, string chunking) => chunking switch
    {
        "whole" => ChunkSplits.Whole(data),
        "bytes" => ChunkSplits.OneByteAtATime(data),
        _ => ChunkSplits.At(data, Enumerable.Range(1, data.Length / 7).Select(i => i * 7)),
    };

    [Fact]
    public void ParseSse_AnySplit_GivesTheSameEventsAsTheWholeStream()
    {
        Chunking.Split(SseGen.Stream).SampleSeeded(
            sample =>
            {
                var whole = Describe(Parse(ChunkSplits.Whole(sample.Data)));
                return whole.SequenceEqual(Describe(Parse(sample.Chunks)));
            },
            seed: "parseSseSplt",
            iter: 10_000);
    }

    [Fact]
    public void ParseSse_RandomStreams_AgreeWithTheBclSseParserExceptWhereTheSpecSaysOtherwise()
    {
        SseGen.Stream.SampleSeeded(
            data =>
            {
                // Deliberate difference 2 (see the test below): the BCL keeps an event type across a block that
                // dispatches nothing, so the types are compared there and not here.
                var ours = Parse(ChunkSplits.Whole(data)).Select(e => $"{e.LastEventId}|{e.Data}").ToArray();
                var theirs = Bcl(data).Select(e => e[(e.IndexOf('|') + 1)..]).ToArray();
                Assert.True(ours.SequenceEqual(theirs), $"ours: [{string.Join(", ", ours)}] bcl: [{string.Join(", ", theirs)}] input: {Convert.ToHexString(data)}");
            },
            seed: "parseSseBcl0",
            iter: 10_000);
    }

    [Fact]
    public void ParseSse_EventTypeOfABlockWithoutData_IsResetUnlikeTheBclParser()
    {
        // "If the data buffer is an empty string, set the data buffer and the event type buffer to the empty string
        // and return." SseParser keeps the type for the next event; a browser does not.
        var bytes = "event: ping\n\ndata: x\n\n"u8.ToArray();
        Assert.Equal(["message||x"], Describe(Parse(ChunkSplits.Whole(bytes))));
        Assert.Equal(["ping||x"], Bcl(bytes));
    }

    internal static List<SseEvent> Parse(IEnumerable<Chunk> chunks)
    {
        var (values, error, completed) = Chunking.Run(chunks, s => s.ParseSse());
        Assert.Null(error);
        Assert.True(completed);
        return values;
    }

    internal static string[] Describe(IEnumerable<SseEvent> events) => events.Select(e => $"{e.EventType}|{e.LastEventId}|{e.Data}").ToArray();

    // The BCL parser as its users call it, adjusted for the one place where it knowingly departs from a browser:
    // it dispatches an event left unterminated at the end of the stream, where the spec says "any pending data must
    // be discarded". Events it reports after the last blank line are dropped here.
    private static string[] Bcl(byte[] data)
    {
        var parser = SseParser.Create(new MemoryStream(data), (type, bytes) => Encoding.UTF8.GetString(bytes));
        var items = new List<string>();
        foreach (var item in parser.Enumerate())
        {
            items.Add($"{item.EventType}|{parser.LastEventId}|{item.Data}");
        }

        return items.Take(CountTerminatedEvents(data, items.Count)).ToArray();
    }

    private static int CountTerminatedEvents(byte[] data, int reported)
    {
        // Our own parser says how many events were closed by a blank line; the BCL's extra one, if any, is the tail.
        var terminated = Parse(ChunkSplits.Whole(data)).Count;
        return Math.Min(terminated, reported);
    }

    private sealed class Recorder(List<SseEvent> events, Action? onEvent = null) : ISseParserHandler
    {
        public void OnEvent(in SseEvent value)
        {
            events.Add(value);
            onEvent?.Invoke();
        }

        public void OnComment(ReadOnlySpan<byte> text)
        {
        }

        public void OnRetry(TimeSpan reconnectionTime)
        {
        }
    }
}
