using CsCheck;
using RxStream.Testing;
using RxStream.Tests.Testing;

namespace RxStream.Tests.ServerSentEvents;

/// <summary>ParseSse against a word-for-word transcription of the WHATWG algorithm, over random streams and random splits.</summary>
public sealed class ParseSseConformanceTests
{
    [Fact]
    public void ParseSse_RandomStreamsAndSplits_AgreeWithTheSpecsLiteralAlgorithm()
    {
        Chunking.Split(SseGen.Stream).SampleSeeded(
            sample =>
            {
                var expected = WhatwgEventStreamReference.Interpret(sample.Data).Select(e => $"{e.Type}|{e.LastEventId}|{e.Data}");
                var actual = ParseSseTests.Describe(ParseSseTests.Parse(sample.Chunks));
                Assert.True(expected.SequenceEqual(actual), $"spec: [{string.Join(", ", expected)}] ours: [{string.Join(", ", actual)}] input: {Convert.ToHexString(sample.Data)}");
            },
            seed: "parseSseSpec",
            iter: 10_000);
    }

    [Theory]
    [InlineData("data: x\n\r", "message||x")] // A CR that ends the stream still ends a (blank) line.
    [InlineData("data: x\r\r", "message||x")]
    [InlineData("data: x\n", "")] // No blank line before the end: discarded.
    [InlineData("id: 1\n\nid\n\ndata: x\n\n", "message||x")] // An empty id resets the last event ID.
    [InlineData("id: 1\ndata: x\n\ndata: y\n\n", "message|1|x", "message|1|y")] // The ID persists.
    [InlineData("data\n\n", "message||")] // A data field with no colon dispatches an empty string.
    [InlineData("data:\ndata:\n\n", "message||\n")]
    [InlineData("data:  two spaces\n\n", "message|| two spaces")] // Only one space goes.
    [InlineData("event\ndata: x\n\n", "message||x")] // An empty event type means message.
    [InlineData("\uFEFF\uFEFFdata: x\n\ndata: y\n\n", "message||y")] // A second BOM makes the field name unknown.
    public void ParseSse_SpecCornerCases_MatchTheReference(string stream, params string[] expected)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(stream);
        var reference = WhatwgEventStreamReference.Interpret(bytes).Select(e => $"{e.Type}|{e.LastEventId}|{e.Data}").Where(s => s.Length > 0);

        Assert.Equal(expected.Where(s => s.Length > 0), reference);
        Assert.Equal(expected.Where(s => s.Length > 0), ParseSseTests.Describe(ParseSseTests.Parse(ChunkSplits.OneByteAtATime(bytes))));
    }
}
