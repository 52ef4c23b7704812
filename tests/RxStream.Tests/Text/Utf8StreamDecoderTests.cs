using RxStream.Tests.Testing;
using RxStream.Text;
using static RxStream.Tests.Testing.ReactiveTest;

namespace RxStream.Tests.Text;

public class Utf8StreamDecoderTests
{
    [Fact]
    public void Utf8StreamDecoder_FinalPieceLongerThanTheWindow_FinishesTheTornSequenceAndDecodesTheRest()
    {
        // Specification: WHATWG Encoding, "decode" with the end of the queue only after the last byte. A final piece
        // that finishes a torn sequence and then tears a second one across its borrowed window is not at its end there:
        // the second sequence is completed by the rest of the piece, not replaced.
        var decoder = new Utf8StreamDecoder(keepBom: false, fatal: false);
        Assert.Equal(string.Empty, Decode(decoder, [0xF0], flush: false));
        Assert.Equal("🙂🙂", Decode(decoder, [0x9F, 0x99, 0x82, 0xF0, 0x9F, 0x99, 0x82], flush: true));
    }

    [Fact]
    public void Utf8StreamDecoder_FinalPieceEndingTorn_ReplacesTheTornSequenceOnce()
    {
        var decoder = new Utf8StreamDecoder(keepBom: false, fatal: false);
        Assert.Equal(string.Empty, Decode(decoder, [0xE2], flush: false));
        Assert.Equal("\u20AC\uFFFD", Decode(decoder, [0x82, 0xAC, 0xF0, 0x9F], flush: true));
    }

    [Theory]
    [InlineData(new byte[] { 0xE2, 0x82 }, new byte[] { 0x41 }, "", "\uFFFDA")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x99 }, new byte[] { 0xF0, 0x9F, 0x99, 0x82 }, "", "\uFFFD🙂")]
    [InlineData(new byte[] { 0x41, 0xED }, new byte[] { 0xA0, 0x80, 0x42 }, "A", "\uFFFD\uFFFD\uFFFDB")]
    [InlineData(new byte[] { 0xC3 }, new byte[] { 0xC3, 0xA9 }, "", "\uFFFDé")]
    [InlineData(new byte[] { 0xF4 }, new byte[] { 0x90, 0x80 }, "", "\uFFFD\uFFFD\uFFFD")]
    public void Utf8StreamDecoder_InvalidSequenceSplitAcrossPieces_IsReplacedWhenTheNextPieceBreaksIt(byte[] first, byte[] second, string afterFirst, string afterSecond)
    {
        // Specification: WHATWG Encoding, UTF-8 decoder: a torn sequence waits; the byte that breaks it yields one
        // U+FFFD for the maximal subpart and is then read again.
        var decoder = new Utf8StreamDecoder(keepBom: false, fatal: false);
        Assert.Equal(afterFirst, Decode(decoder, first, flush: false));
        Assert.Equal(afterSecond, Decode(decoder, second, flush: false));
        Assert.Equal(string.Empty, Decode(decoder, [], flush: true));
    }

    [Fact]
    public void Utf8StreamDecoder_TornSequenceAtTheEnd_BecomesOneReplacementOnlyAtTheFlush()
    {
        var decoder = new Utf8StreamDecoder(keepBom: false, fatal: false);
        Assert.Equal("a", Decode(decoder, [0x61, 0xF0], flush: false));
        Assert.Equal(string.Empty, Decode(decoder, [0x9F], flush: false));
        Assert.Equal(string.Empty, Decode(decoder, [0x99], flush: false));
        Assert.Equal("\uFFFD", Decode(decoder, [], flush: true));
    }

    [Fact]
    public void Utf8StreamDecoder_PartialBomAtTheFlush_IsDataAndBecomesOneReplacement()
    {
        var decoder = new Utf8StreamDecoder(keepBom: false, fatal: false);
        Assert.Equal(string.Empty, Decode(decoder, [0xEF], flush: false));
        Assert.Equal(string.Empty, Decode(decoder, [0xBB], flush: false));
        Assert.Equal("\uFFFD", Decode(decoder, [], flush: true));
    }

    [Fact]
    public void DecodeUtf8_TornSequenceAtCompletion_IsReleasedWithTheCompletion()
    {
        // "If do not flush is false" (the stream ended): the torn tail becomes U+FFFD, emitted when the source completes.
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, Chunk.Copy([0x61, 0xE2])), OnNext(400, Chunk.Copy([0x82])), OnCompleted<Chunk>(500));

        var observer = scheduler.Start(() => source.DecodeUtf8());

        Assert.Equal([OnNext(300, "a"), OnNext(500, "\uFFFD"), OnCompleted<string>(500)], observer.Messages);
    }

    [Fact]
    public void DecodeUtf8_FatalTornSequenceAtCompletion_FailsWithItsOffset()
    {
        var scheduler = new TestScheduler();
        var source = scheduler.CreateHotObservable(OnNext(300, Chunk.Copy([0x61, 0xE2])), OnNext(400, Chunk.Copy([0x82])), OnCompleted<Chunk>(500));

        var observer = scheduler.Start(() => source.DecodeUtf8(new Utf8DecodeOptions { Fatal = true }));

        Assert.Equal([OnNext(300, "a")], observer.Messages.Take(1));
        Assert.Equal(500, observer.Messages[^1].Time);
        Assert.Equal(1, Assert.IsType<Utf8DecodeException>(observer.Messages[^1].Value.Exception).ByteOffset);
    }

    private static string Decode(Utf8StreamDecoder decoder, byte[] piece, bool flush)
    {
        var output = new char[piece.Length + 8];
        var written = decoder.Decode(piece, output, flush, out var error);
        Assert.Null(error);
        return new string(output, 0, written);
    }
}
