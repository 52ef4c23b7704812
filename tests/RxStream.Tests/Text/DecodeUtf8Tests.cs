using CsCheck;
using RxStream.Testing;
using RxStream.Tests.Testing;
using RxStream.Text;

namespace RxStream.Tests.Text;

public class DecodeUtf8Tests
{
    [Fact]
    public void DecodeUtf8_NullSource_ThrowsAtTheCall() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.DecodeUtf8(null!)).ParamName);

    [Theory]
    [InlineData(new byte[] { 0xE0, 0x80, 0x41 }, "\uFFFD\uFFFDA")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "\uFFFD\uFFFD\uFFFD")]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, "\uFFFD\uFFFD\uFFFD\uFFFD")]
    [InlineData(new byte[] { 0xC0, 0xAF }, "\uFFFD\uFFFD")]
    [InlineData(new byte[] { 0xF5, 0x41 }, "\uFFFDA")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x99, 0x41 }, "\uFFFDA")]
    [InlineData(new byte[] { 0xE2, 0x82 }, "\uFFFD")]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x41 }, "\uFEFFA")]
    [InlineData(new byte[] { 0xEF, 0xBB }, "\uFFFD")]
    [InlineData(new byte[] { 0xEF, 0xBB, 0x41 }, "\uFFFDA")]
    public void DecodeUtf8_WhatwgBoundaryCase_MatchesTextDecoderWholeAndByteByByte(byte[] input, string expected)
    {
        Assert.Equal(expected, WhatwgUtf8Reference.Decode(input));
        Assert.Equal(expected, Decode(ChunkSplits.Whole(input)));
        Assert.Equal(expected, Decode(ChunkSplits.OneByteAtATime(input)));
    }

    [Fact]
    public void DecodeUtf8_KeepBom_KeepsTheLeadingBomAsUFeff()
    {
        byte[] input = [0xEF, 0xBB, 0xBF, 0x41];
        var (values, _, _) = Chunking.Run(ChunkSplits.OneByteAtATime(input), s => s.DecodeUtf8(new Utf8DecodeOptions { KeepBom = true }));
        Assert.Equal("\uFEFFA", string.Concat(values));
    }

    [Fact]
    public void DecodeUtf8_SplitSequence_EmitsNoEmptyStringWhileHoldingIt()
    {
        var (values, _, completed) = Chunking.Run(ChunkSplits.OneByteAtATime("🙂"u8), s => s.DecodeUtf8());
        Assert.Equal(["🙂"], values);
        Assert.True(completed);
    }

    [Theory]
    [InlineData(new byte[] { 0x41, 0x42, 0xFF, 0x43 }, "AB", 2)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x41, 0xE2, 0x82, 0x41 }, "A", 4)]
    [InlineData(new byte[] { 0x41, 0xF0, 0x9F, 0x99 }, "A", 1)]
    public void DecodeUtf8_Fatal_EmitsTheValidTextThenFailsWithTheOffset(byte[] input, string before, long offset)
    {
        foreach (var chunks in new[] { ChunkSplits.Whole(input), ChunkSplits.OneByteAtATime(input) })
        {
            var (values, error, _) = Chunking.Run(chunks, s => s.DecodeUtf8(new Utf8DecodeOptions { Fatal = true }));
            Assert.Equal(before, string.Concat(values));
            Assert.Equal(offset, Assert.IsType<Utf8DecodeException>(error).ByteOffset);
        }
    }

    [Fact]
    public void DecodeUtf8_AnySplit_EqualsTheWhatwgReferenceOnTheWhole()
    {
        Chunking.Split(TextGen.Bytes).SampleSeeded(
            sample =>
            {
                var (values, error, completed) = Chunking.Run(sample.Chunks, s => s.DecodeUtf8());
                Assert.True(completed && error is null);
                Assert.DoesNotContain(string.Empty, values);
                Assert.Equal(WhatwgUtf8Reference.Decode(sample.Data), string.Concat(values));
            },
            seed: "decodeUtf8Rf",
            iter: 10_000);
    }

    [Fact]
    public void DecodeUtf8_FatalAnySplit_FailsAtTheSameOffsetAsTheWhole()
    {
        Chunking.Split(TextGen.Bytes).SampleSeeded(
            sample =>
            {
                var whole = Chunking.Run(ChunkSplits.Whole(sample.Data), s => s.DecodeUtf8(new Utf8DecodeOptions { Fatal = true }));
                var split = Chunking.Run(sample.Chunks, s => s.DecodeUtf8(new Utf8DecodeOptions { Fatal = true }));
                Assert.Equal(string.Concat(whole.Values), string.Concat(split.Values));
                Assert.Equal((whole.Error as Utf8DecodeException)?.ByteOffset, (split.Error as Utf8DecodeException)?.ByteOffset);
            },
            seed: "decodeUtf8Ft",
            iter: 10_000);
    }

    private static string Decode(IEnumerable<Chunk> chunks)
    {
        var (values, error, completed) = Chunking.Run(chunks, s => s.DecodeUtf8());
        Assert.Null(error);
        Assert.True(completed);
        return string.Concat(values);
    }
}
