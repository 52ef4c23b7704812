using System.Text;
using BenchmarkDotNet.Attributes;
using RxStream.Benchmarks.ServerSentEvents;

namespace RxStream.Benchmarks.Text;

/// <summary>Decodes a 16 MiB chat corpus with <c>DecodeUtf8</c> at several chunk sizes, against a <c>Decoder</c> fed the same chunks.</summary>
/// <remarks>
/// The baseline does the same work: one <c>Decoder.GetChars(…, flush: false)</c> and one string per chunk, flushed at
/// the end. <c>GetStringWhole</c>, one <c>GetString</c> of all 16 MiB (a 32 MB string on the large-object heap), is
/// kept as a reference row only: it is not the same work and flattered <c>DecodeUtf8</c> at large chunks.
/// </remarks>
[MemoryDiagnoser]
public class DecodeUtf8Benchmarks
{
    private byte[] _corpus = null!;
    private Chunk[] _chunks = null!;
    private char[] _chars = null!;

    [Params(16, 1024, 16 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _corpus = Corpus.ChatText(16 * 1024 * 1024);
        _chunks = Corpus.Split(_corpus, ChunkSize);
        _chars = new char[Encoding.UTF8.GetMaxCharCount(ChunkSize)];
    }

    [Benchmark(Baseline = true)]
    public int DecoderPerChunk()
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var length = 0;
        foreach (var chunk in _chunks)
        {
            var count = decoder.GetChars(chunk.Span, _chars, flush: false);
            if (count > 0)
            {
                length += new string(_chars, 0, count).Length;
            }
        }

        var last = decoder.GetChars([], _chars, flush: true);
        return last > 0 ? length + new string(_chars, 0, last).Length : length;
    }

    [Benchmark]
    public int GetStringWhole() => Encoding.UTF8.GetString(_corpus).Length;

    [Benchmark]
    public int DecodeUtf8()
    {
        var length = 0;
        new SseParseBenchmarks.ChunkSource(_chunks).DecodeUtf8().Subscribe(text => length += text.Length);
        return length;
    }
}

/// <summary>Finds <c>LLM-EOF</c> at the end of the 16 MiB corpus with <c>TakeUntilSentinel</c> (bytes), against <c>IndexOf</c> over the whole.</summary>
[MemoryDiagnoser]
public class SentinelBenchmarks
{
    private static readonly byte[] Sentinel = "LLM-EOF"u8.ToArray();
    private byte[] _corpus = null!;
    private Chunk[] _chunks = null!;

    [Params(16 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _corpus = [.. Corpus.ChatText(16 * 1024 * 1024), .. Sentinel];
        _chunks = Corpus.Split(_corpus, ChunkSize);
    }

    [Benchmark(Baseline = true)]
    public int IndexOfWhole() => _corpus.AsSpan().IndexOf(Sentinel);

    [Benchmark]
    public int TakeUntilSentinel()
    {
        var length = 0;
        new SseParseBenchmarks.ChunkSource(_chunks).TakeUntilSentinel(Sentinel).Subscribe(chunk => length += chunk.Length);
        return length;
    }
}
