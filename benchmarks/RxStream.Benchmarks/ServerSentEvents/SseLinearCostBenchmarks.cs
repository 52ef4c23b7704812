using System.Net.ServerSentEvents;
using System.Text;
using BenchmarkDotNet.Attributes;
using RxStream.ServerSentEvents;
using static RxStream.Benchmarks.ServerSentEvents.SseParseBenchmarks;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Parses one 16 MiB single-line event in 16-byte and in 16 KiB pieces, reporting the cost per byte.</summary>
/// <remarks>
/// A parser that searched the pending line again on every piece would cost a million times more at 16 bytes than
/// at 16 KiB; one that only searches new bytes costs the same per byte plus a fixed price per piece. Compare the
/// <c>ParseSse</c> rows of the two chunk sizes with each other (the target is within 3×); <c>SseParser</c>, reading
/// the same pieces from a stream, is the baseline of each size.
/// </remarks>
[MemoryDiagnoser]
public class SseLinearCostBenchmarks
{
    /// <summary>The bytes of the stream: <c>data: </c>, 16 MiB of text, and the blank line that dispatches it.</summary>
    public const int StreamBytes = 6 + TextBytes + 2;

    private const int TextBytes = 16 * 1024 * 1024;

    // The line is longer than the default 16 MiB limits, on purpose: the limits are raised for the test.
    private static readonly SseParserOptions Options = new() { MaxLineLength = 32 * 1024 * 1024, MaxEventSize = 32 * 1024 * 1024 };

    private byte[] _stream = null!;
    private Chunk[] _chunks = null!;

    [Params(16, 16 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = SseCorpus.OneLine(TextBytes);
        _chunks = Corpus.Split(_stream, ChunkSize);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = StreamBytes)]
    public int SseParserStrings()
    {
        var length = 0;
        foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize), static (_, data) => Encoding.UTF8.GetString(data)).Enumerate())
        {
            length += item.Data.Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = StreamBytes)]
    public int ParseSseStrings()
    {
        var length = 0;
        new ChunkSource(_chunks).ParseSse(Options).Subscribe(e => length += e.Data.Length);
        return length;
    }
}
