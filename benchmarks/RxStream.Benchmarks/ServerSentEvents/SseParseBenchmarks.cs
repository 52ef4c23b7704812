using System.Net.ServerSentEvents;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Parses an event stream with <c>ParseSse</c> and with the BCL's <c>SseParser</c>, both producing string data.</summary>
/// <remarks>
/// Two groups, each with its own baseline. <c>Parser</c>: the parsers alone, <c>SseParser.Enumerate</c> reading a
/// stream that returns at most <see cref="ChunkSize"/> bytes per read, <c>ParseSse</c> pushed pre-cut chunks of that
/// size (so <c>SseParser</c> pays a stream copy that <c>ParseSse</c> does not). <c>Stream</c>: equal work as used, both
/// reading that same stream asynchronously, <c>SseParser.EnumerateAsync</c> against <c>FromStream(...).ParseSse()</c>.
/// Divide the time by the corpus's event count (<see cref="SseCorpus.TokenEvents"/> or
/// <see cref="SseCorpus.LargeEvents"/>) for the cost per event.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
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
    [BenchmarkCategory("Parser")]
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
    [BenchmarkCategory("Parser")]
    public int ParseSseStrings()
    {
        var count = 0;
        new ChunkSource(_chunks).ParseSse().Subscribe(e => count += e.Data.Length);
        return count;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Stream")]
    public async Task<int> SseParserEnumerateAsync()
    {
        var count = 0;
        await foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize), static (_, data) => Encoding.UTF8.GetString(data)).EnumerateAsync())
        {
            count += item.Data.Length;
        }

        return count;
    }

    [Benchmark]
    [BenchmarkCategory("Stream")]
    public Task<int> FromStreamParseSse()
    {
        var count = 0;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        StreamObservable.FromStream(new ChunkedStream(_stream, ChunkSize)).ParseSse().Subscribe(e => count += e.Data.Length, e => done.TrySetException(e), () => done.TrySetResult(count));
        return done.Task;
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
