using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Json;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Json;

[Collection(ObserverFaultCollection.Name)]
public sealed class JsonLinesOperatorTests
{
    [Fact]
    public void ParseJsonLines_NullTypeInfo_ThrowsForTypeInfo() =>
        Assert.Equal("typeInfo", Assert.Throws<ArgumentNullException>(() => Observable.Empty<Chunk>().ParseJsonLines<Guid>(typeInfo: null!)).ParamName);

    [Fact]
    public async Task ParseJsonLines_ConverterThrowsOverFromStream_FailsThroughOnErrorNotTheUnhandledPath()
    {
        using var faults = new ObserverFaultCapture();
        var observer = new AsyncObserver<Guid>();

        using var subscription = StreamObservable.FromStream(new MemoryStream("\"x\"\n"u8.ToArray())).ParseJsonLines(ThrowingConverter.TypeInfo).Subscribe(observer);

        Assert.Same(ThrowingConverter.Bug, await observer.Terminal.WaitAsync(AsyncObserver<Guid>.Patience));
        Assert.False(faults.Fault.IsCompleted);
    }

    [Fact]
    public void ParseJsonLines_DisposedInsideOnNext_ReadsNoFurtherLine()
    {
        var source = new Subject<Chunk>();
        var values = new List<int>();
        var subscription = default(IDisposable);
        subscription = source.ParseJsonLines(IntJson.TypeInfo).Subscribe(value =>
        {
            values.Add(value);
            subscription!.Dispose();
        });

        // A converter call for the second line would be a user callback after disposal; the third line is not JSON,
        // so reading it would fail a stream nobody watches.
        source.OnNext(Chunk.FromString("1\n2\nnot json\n"));

        Assert.Equal([1], values);
        Assert.Equal(1, IntJson.Reads);
        Assert.False(source.HasObservers);
    }

    public static TheoryData<string> Ends => new() { "complete", "complete with a last line", "error", "dispose between chunks", "dispose inside OnNext", "observer throws", "bad line", "limit" };

    [Theory]
    [MemberData(nameof(Ends))]
    public void ParseJsonLines_AnyEnd_ReturnsThePooledBuffer(string end) =>
        // A line torn across chunks is kept in the pooled buffer.
        PooledBufferEnds.Check(
            end,
            (source, pool) => new JsonLinesOperator<int>(source, IntJson.Plain, 32, pool),
            [Chunk.FromString("12")],
            held: 1,
            next: Chunk.FromString("3\n4"),
            own: source =>
            {
                switch (end)
                {
                    case "complete":
                        source.OnNext(Chunk.FromString("3\n"));
                        source.OnNext(Chunk.FromString("4"));
                        source.OnCompleted();
                        return true;
                    case "complete with a last line":
                        source.OnCompleted();
                        return true;
                    case "bad line":
                        source.OnNext(Chunk.FromString("x\n"));
                        return true;
                    case "limit":
                        source.OnNext(Chunk.FromString(new string('1', 40)));
                        return true;
                    default:
                        return false;
                }
            });

    /// <summary>Reads ints through a converter that counts its calls.</summary>
    private static class IntJson
    {
        [ThreadStatic]
        private static int _reads;

        public static int Reads => _reads;

        public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<int> TypeInfo { get; } =
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<int>)new System.Text.Json.JsonSerializerOptions
            {
                Converters = { new CountingConverter() },
                TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            }.GetTypeInfo(typeof(int));

        public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<int> Plain { get; } =
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<int>)new System.Text.Json.JsonSerializerOptions
            {
                TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            }.GetTypeInfo(typeof(int));

        private sealed class CountingConverter : System.Text.Json.Serialization.JsonConverter<int>
        {
            public override int Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
            {
                _reads++;
                return reader.GetInt32();
            }

            public override void Write(System.Text.Json.Utf8JsonWriter writer, int value, System.Text.Json.JsonSerializerOptions options) => writer.WriteNumberValue(value);
        }
    }
}
