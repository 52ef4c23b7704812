using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using RxStream.Testing.Recording;

namespace RxStream.Testing.Tests;

public sealed class RecordingTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Writer_NullWriter_Throws() =>
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => new RecordingWriter(null!, "sse")).ParamName);

    [Fact]
    public void Record_NullWriter_Throws() =>
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => Observable.Empty<Chunk>().Record(null!)).ParamName);

    [Fact]
    public void Record_ChunksOfAnyBytes_RoundTripByteExactlyWithBoundariesTimesAndEnd()
    {
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        var chunks = new[]
        {
            Chunk.FromString("data: h\u00e9"),
            Chunk.Copy([0xC3]),                  // half of a character: not valid UTF-8 alone
            Chunk.Copy([0xA9, (byte)'\n', 0]),
            Chunk.Copy([]),
            Chunk.FromString("\"quoted\" \\ \r\n🚀"),
        };
        var text = new StringWriter();
        using (var writer = new RecordingWriter(text, "chunks"))
        {
            var source = chunks.Select(c => Observable.Return(c).Delay(TimeSpan.FromMilliseconds(10), scheduler)).Concat();
            using var subscription = source.Record(writer, scheduler).Subscribe();
            scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        }

        var recording = StreamRecording.Read(new StringReader(text.ToString()));

        var connection = Assert.Single(recording.Connections);
        Assert.Equal(chunks, connection.Chunks.Select(c => c.Chunk));
        Assert.Equal([10 * Ms, 20 * Ms, 30 * Ms, 40 * Ms, 50 * Ms], connection.Chunks.Select(c => c.Offset));
        Assert.Equal(new RecordedEnd(50 * Ms, RecordedEndKind.Completed), connection.End);
        Assert.StartsWith("""{"format":"rxstream-recording","version":1,"transport":"chunks"}""", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"base64\":\"ww==\"", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_SecretHeaders_AreRedactedAndUserInfoDropped()
    {
        var text = new StringWriter();
        using (var writer = new RecordingWriter(text, "sse", new Uri("http://user:pw@stream.test/"), ["X-Api-Key"]))
        {
            writer.WriteOpen(TimeSpan.Zero, 200, "OK", [new("Set-Cookie", "s=1"), new("authorization", "Bearer t"), new("X-Api-Key", "k"), new("Content-Type", "text/event-stream")]);
        }

        var connection = StreamRecording.Read(new StringReader(text.ToString())).Connections[0];

        Assert.Equal(["[redacted]", "[redacted]", "[redacted]", "text/event-stream"], connection.Headers.Select(h => h.Value));
        Assert.DoesNotContain("pw", text.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"format\":\"other\"}", 1)]
    [InlineData("{\"format\":\"rxstream-recording\",\"version\":2,\"transport\":\"sse\"}", 1)]
    [InlineData("{\"format\":\"rxstream-recording\",\"version\":1,\"transport\":\"sse\"}\n{\"type\":\"chunk\",\"ms\":1}", 2)]
    [InlineData("{\"format\":\"rxstream-recording\",\"version\":1,\"transport\":\"sse\"}\nnot json", 2)]
    [InlineData("", 1)]
    public void Read_NotARecording_FailsNamingTheLine(string text, int line) =>
        Assert.Equal(line, Assert.Throws<RecordingFormatException>(() => StreamRecording.Read(new StringReader(text))).Line);

    [Fact]
    public void ResumeAfter_AnIdInTheMiddle_ServesTheBytesAfterThatEventWithTheirBoundariesAndRelativeTimes()
    {
        var recording = Sse(("id: 1\ndata: a\n\nid: 2\n", 10), ("data: b\n\n", 20), ("id: 3\r\ndata: c\r\n\r\n", 35));

        var resumed = recording.ResumeAfter("2");

        Assert.NotNull(resumed);
        Assert.Equal(["id: 3\r\ndata: c\r\n\r\n"], resumed.Chunks.Select(c => c.Chunk.GetString()));
        Assert.Equal([15 * Ms], resumed.Chunks.Select(c => c.Offset));
        Assert.Equal("id: 2\ndata: b\n\nid: 3\r\ndata: c\r\n\r\n", Encoding.UTF8.GetString(recording.ResumeAfter("1")!.Body()));
        Assert.Null(recording.ResumeAfter("9"));
    }

    [Fact]
    public async Task Replaying_ARecordingWithADrop_ResumesAfterTheLastEventIdInVirtualTime()
    {
        // As recorded: a first connection that dropped after event 2, and the one the client reconnected to.
        var first = Sse(("retry: 500\nid: 1\ndata: a\n\n", 10), ("id: 2\ndata: b\n\n", 20)).Connections[0];
        var second = Sse(("id: 3\ndata: c\n\n", 10)).Connections[0];
        var recording = new StreamRecording("sse", null, [new RecordedConnection(TimeSpan.Zero, 200, "OK", first.Headers, first.Chunks, new RecordedEnd(25 * Ms, RecordedEndKind.Failed, Error: "dropped")), second]);
        var scheduler = new HistoricalScheduler(DateTimeOffset.UnixEpoch);
        using var server = ScriptedHttpHandler.Replaying(recording, scheduler);
        using var client = new HttpClient(server);
        var seen = new List<(long, string)>();

        using var subscription = StreamObservable.EventSource(client, VirtualSse.Address, VirtualSse.Options(scheduler)).Subscribe(e => seen.Add((scheduler.Now.ToUnixTimeMilliseconds(), e.Data)));
        await server.WaitForRequestAsync();
        scheduler.AdvanceBy(525 * Ms);
        var again = await server.WaitForRequestAsync(2);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        Assert.Equal("2", again.LastEventId);
        Assert.Equal([(10L, "a"), (20L, "b"), (535L, "c")], seen);
    }

    private static StreamRecording Sse(params (string Text, int Ms)[] chunks) =>
        new("sse", null, [new RecordedConnection(TimeSpan.Zero, 200, "OK", [new("Content-Type", "text/event-stream")], [.. chunks.Select(c => new RecordedChunk(TimeSpan.FromMilliseconds(c.Ms), Chunk.FromString(c.Text)))], new RecordedEnd(TimeSpan.FromMilliseconds(100), RecordedEndKind.Completed))]);
}
