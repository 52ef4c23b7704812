using System.Reactive.Linq;
using System.Text;
using RxStream.Json;
using RxStream.Tests.ServerSentEvents;
using RxStream.Testing;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Json;

public class ParseJsonLinesTests
{
    [Fact]
    public void ParseJsonLines_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.ParseJsonLines(null!, PayloadJson.Default.Payload)).ParamName);
        Assert.Equal("typeInfo", Assert.Throws<ArgumentNullException>(() => Observable.Empty<Chunk>().ParseJsonLines<Payload>(typeInfo: null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new JsonLinesOptions { MaxLineLength = 0 }).ParamName);
    }

    [Fact]
    public void ParseJsonLines_DefaultOptions_AllowSixteenMebibyteLines()
    {
        Assert.Equal(16 * 1024 * 1024, JsonLinesOptions.DefaultMaxLineBytes);
        Assert.Equal(JsonLinesOptions.DefaultMaxLineBytes, new JsonLinesOptions().MaxLineLength);
    }

    [Fact]
    public void ParseJsonLines_BadLine_FailsNamingTheLineNumberAfterTheGoodLines()
    {
        var (values, error, completed) = Chunking.Run(ChunkSplits.OneByteAtATime("{\"n\":1}\n\n{\"n\":oops}\n{\"n\":4}\n"u8), s => s.ParseJsonLines(PayloadJson.Default.Payload));

        Assert.Equal([new Payload(1, null)], values);
        Assert.False(completed);
        var payload = Assert.IsType<JsonPayloadException>(error);
        Assert.Equal(JsonPayloadOrigin.Line, payload.Origin);
        Assert.Equal("line 3", payload.Location);
        Assert.Equal("{\"n\":oops}", payload.PayloadPreview);
    }

    [Fact]
    public void ParseJsonLines_LineOverTheOptionsLimit_FailsTypedAfterEarlierLines()
    {
        var stream = Encoding.UTF8.GetBytes("{\"n\":1}\n{\"n\":2,\"text\":\"0123456789\"}\n");
        var (values, error, _) = Chunking.Run(ChunkSplits.OneByteAtATime(stream), s => s.ParseJsonLines(PayloadJson.Default.Payload, new JsonLinesOptions { MaxLineLength = 10 }));

        Assert.Equal([new Payload(1, null)], values);
        var limit = Assert.IsType<StreamLimitExceededException>(error);
        Assert.Equal(10, limit.Limit);
        Assert.Equal(nameof(JsonLinesOptions.MaxLineLength), limit.LimitName);
    }

    [Fact]
    public void ParseJsonLines_ReflectionOverloadWithOptions_EnforcesTheLimit()
    {
        var stream = Encoding.UTF8.GetBytes("{\"n\":1}\n{\"n\":2,\"text\":\"0123456789\"}\n");
        var (values, error, _) = Chunking.Run(ChunkSplits.Whole(stream), s => s.ParseJsonLines<Payload>(options: new JsonLinesOptions { MaxLineLength = 10 }));

        Assert.Equal([new Payload(1, null)], values);
        Assert.Equal(10, Assert.IsType<StreamLimitExceededException>(error).Limit);
    }
}
