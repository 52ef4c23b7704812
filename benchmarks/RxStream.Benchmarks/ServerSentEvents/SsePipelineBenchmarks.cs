using System.Net.ServerSentEvents;
using System.Reactive.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using RxStream.ServerSentEvents;
using static RxStream.Benchmarks.ServerSentEvents.SseParseBenchmarks;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Measures the per-event cost of the typical chat pipeline: parse, stop at <c>[DONE]</c>, deserialize, accumulate the answer.</summary>
/// <remarks>
/// <para>The stream is 100,000 token events and a final <c>data: [DONE]</c>; times and bytes are per event. The
/// Rx pipeline is <c>ParseSse</c> (UTF-8 data) → <c>TakeUntilSentinel</c> (the <c>[DONE]</c> predicate) →
/// <c>DeserializeJson</c> → <c>Scan</c> into a <see cref="StringBuilder"/>. The sentinel test runs before the
/// JSON step because <c>[DONE]</c> is not a payload; deserializing it would fail the stream.</para>
/// <para>The baseline is the same work in a hand-written <c>foreach</c> over <c>SseParser</c>, as its users write
/// it (string data, <c>Deserialize(string)</c>); <see cref="HandLoopUtf8"/> is the best such loop, which
/// deserializes from the bytes in the item parser.</para>
/// </remarks>
[MemoryDiagnoser]
public class SsePipelineBenchmarks
{
    private const int Events = SseCorpus.TokenEvents + 1;
    private static readonly JsonTypeInfo<ChatChunk> TypeInfo = ChatJsonContext.Default.ChatChunk;
    private static readonly SseParserOptions Utf8 = new() { DataFormat = SseDataFormat.Utf8 };
    private byte[] _stream = null!;
    private Chunk[] _chunks = null!;

    [Params(64, 16 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = SseCorpus.Tokens(SseCorpus.TokenEvents, done: true);
        _chunks = Corpus.Split(_stream, ChunkSize);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public int HandLoopStrings()
    {
        var answer = new StringBuilder();
        foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize)).Enumerate())
        {
            if (item.Data == "[DONE]")
            {
                break;
            }

            answer.Append(JsonSerializer.Deserialize(item.Data, TypeInfo)!.Choices[0].Delta.Content);
        }

        return answer.Length;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int HandLoopUtf8()
    {
        var answer = new StringBuilder();
        var parser = SseParser.Create(
            new ChunkedStream(_stream, ChunkSize),
            static (_, data) => data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize(data, TypeInfo));
        foreach (var item in parser.Enumerate())
        {
            if (item.Data is not { } chunk)
            {
                break;
            }

            answer.Append(chunk.Choices[0].Delta.Content);
        }

        return answer.Length;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int RxPipeline()
    {
        var length = 0;
        new ChunkSource(_chunks)
            .ParseSse(Utf8)
            .TakeUntilSentinel(static e => e.DataUtf8.Span.SequenceEqual("[DONE]"u8))
            .DeserializeJson(TypeInfo)
            .Scan(new StringBuilder(), static (answer, chunk) => answer.Append(chunk.Choices[0].Delta.Content))
            .Subscribe(answer => length = answer.Length);
        return length;
    }
}
