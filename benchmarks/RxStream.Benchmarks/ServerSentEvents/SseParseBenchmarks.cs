using System.Net.ServerSentEvents;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Parses an event stream with <c>ParseSse</c> and with the BCL's <c>SseParser</c>, both producing string data.</summary>
/// <remarks>
/// Each side is fed the way it is used: <c>SseParser</c> reads a stream that returns at most <see cref="ChunkSize"/>
/// bytes per read, <c>ParseSse</c> is pushed chunks of that size. Divide the time by the corpus's event count
/// (<see cref="SseCorpus.TokenEvents"/> or <see cref="SseCorpus.LargeEvents"/>) for the cost per event.
/// </remarks>
[MemoryDiagnoser]
public class SseParseBenchmarks
{
    private byte[] _stream = null!;
    private Chunk[] _chunks = null!;

    [Params(64, 16 * 1024)]
    public int ChunkSize { get; set; }

    [ParamsAllValues]
    public SseCorpusKind Corpus { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = SseCorpus.Build(Corpus);
        _chunks = Benchmarks.Corpus.Split(_stream, ChunkSize);
    }

    [Benchmark(Baseline = true)]
    public int SseParserStrings()
    {
        var count = 0;
        foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize), static (_, data) => Encoding.UTF8.GetString(data)).Enumerate())
        {
            count += item.Data.Length;
        }

        return count;
    }

    [Benchmark]
    public int ParseSseStrings()
    {
        var count = 0;
        new ChunkSource(_chunks).ParseSse().Subscribe(e => count += e.Data.Length);
        return count;
    }

    /// <summary>A synchronous source that pushes prepared chunks, so the operator is what is measured.</summary>
    internal sealed class ChunkSource(Chunk[] chunks) : IObservable<Chunk>
    {
        public IDisposable Subscribe(IObserver<Chunk> observer)
        {
            foreach (var chunk in chunks)
            {
                observer.OnNext(chunk);
            }

            observer.OnCompleted();
            return System.Reactive.Disposables.Disposable.Empty;
        }
    }

    /// <summary>A read-only stream that returns at most <c>chunkSize</c> bytes per read, as a network would.</summary>
    internal sealed class ChunkedStream(byte[] data, int chunkSize) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunkSize)]);
    }
}
