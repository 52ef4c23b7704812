using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using RxStream.ServerSentEvents;
using static RxStream.Benchmarks.ServerSentEvents.SseParseBenchmarks;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Parses an event stream and deserializes each event's JSON payload: <c>ParseSse</c> + <c>DeserializeJson</c> from UTF-8, against <c>SseParser</c> strings + <c>JsonSerializer.Deserialize(string)</c>.</summary>
/// <remarks>
/// Both sides use the same source-generated <see cref="JsonTypeInfo{T}"/> and read every choice's content, so the
/// difference is what each pipeline does between the bytes and the deserializer. <see cref="SseParserUtf8"/> is the
/// best a hand-written <c>SseParser</c> loop can do (deserializing in its item parser, from the bytes), shown beside
/// them for scale, and <see cref="DeserializeOnly"/> is the floor: the payloads alone, already cut out of the stream.
/// </remarks>
[MemoryDiagnoser]
public class SseJsonBenchmarks
{
    private static readonly JsonTypeInfo<ChatChunk> TypeInfo = ChatJsonContext.Default.ChatChunk;
    private static readonly SseParserOptions Utf8 = new() { DataFormat = SseDataFormat.Utf8 };
    private byte[] _stream = null!;
    private Chunk[] _chunks = null!;
    private byte[][] _payloads = null!;

    [Params(64, 16 * 1024)]
    public int ChunkSize { get; set; }

    [ParamsAllValues]
    public SseCorpusKind Corpus { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = SseCorpus.Build(Corpus);
        _chunks = Benchmarks.Corpus.Split(_stream, ChunkSize);
        var payloads = new List<byte[]>();
        new ChunkSource(_chunks).ParseSse(Utf8).Subscribe(e => payloads.Add(e.DataUtf8.ToArray()));
        _payloads = [.. payloads];
    }

    /// <summary>What users of <c>SseParser</c> write: the default string data, then <c>Deserialize(string)</c>.</summary>
    [Benchmark(Baseline = true)]
    public int SseParserStrings()
    {
        var length = 0;
        foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize)).Enumerate())
        {
            length += JsonSerializer.Deserialize(item.Data, TypeInfo)!.ContentLength();
        }

        return length;
    }

    /// <summary>The hand-written best: <c>SseParser</c> deserializing each payload from its bytes in the item parser.</summary>
    [Benchmark]
    public int SseParserUtf8()
    {
        var length = 0;
        foreach (var item in SseParser.Create(new ChunkedStream(_stream, ChunkSize), static (_, data) => JsonSerializer.Deserialize(data, TypeInfo)!).Enumerate())
        {
            length += item.Data.ContentLength();
        }

        return length;
    }

    /// <summary>RxStream as documented: events holding UTF-8 bytes, deserialized without a string in between.</summary>
    [Benchmark]
    public int ParseSseDeserializeJson()
    {
        var length = 0;
        new ChunkSource(_chunks).ParseSse(Utf8).DeserializeJson(TypeInfo).Subscribe(chunk => length += chunk.ContentLength());
        return length;
    }

    /// <summary>The floor no pipeline can beat: deserializing the payloads alone, with no parsing and no stream.</summary>
    [Benchmark]
    public int DeserializeOnly()
    {
        var length = 0;
        foreach (var payload in _payloads)
        {
            length += JsonSerializer.Deserialize(payload, TypeInfo)!.ContentLength();
        }

        return length;
    }
}
