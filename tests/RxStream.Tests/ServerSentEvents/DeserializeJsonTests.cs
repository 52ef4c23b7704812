using System.Reactive.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RxStream.Json;
using RxStream.ServerSentEvents;
using RxStream.Testing;
using RxStream.Tests.Testing;

namespace RxStream.Tests.ServerSentEvents;

public class DeserializeJsonTests
{
    public static TheoryData<SseDataFormat> Formats => new() { SseDataFormat.Text, SseDataFormat.Utf8 };

    [Fact]
    public void DeserializeJson_NullArguments_ThrowAtTheCall()
    {
        var events = Array.Empty<SseEvent>().ToObservable();
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.DeserializeJson((IObservable<SseEvent>)null!, PayloadJson.Default.Payload)).ParamName);
        Assert.Equal("typeInfo", Assert.Throws<ArgumentNullException>(() => events.DeserializeJson<Payload>(typeInfo: null!)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DeserializeJson_EitherDataFormat_ReadsEachEventsPayload(SseDataFormat format)
    {
        var stream = "data: {\"n\":1,\"text\":\"caf\u00e9\"}\n\nevent: delta\ndata: {\"n\":2,\ndata: \"text\":\"\ud83d\ude80\"}\n\n"u8.ToArray();
        var (values, error, completed) = Chunking.Run(ChunkSplits.OneByteAtATime(stream), s => s.ParseSse(new() { DataFormat = format }).DeserializeJson(PayloadJson.Default.Payload));
        Assert.Null(error);
        Assert.True(completed);
        Assert.Equal([new Payload(1, "caf\u00e9"), new Payload(2, "\ud83d\ude80")], values);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DeserializeJson_BadPayload_FailsNamingTheEventIdAndShowingThePayloadStart(SseDataFormat format)
    {
        var bad = "{\"n\":2,\"text\":oops " + new string('x', 300) + "}";
        var stream = Encoding.UTF8.GetBytes($"id: 41\ndata: {{\"n\":1}}\n\nid: 42\ndata: {bad}\n\nid: 43\ndata: {{\"n\":3}}\n\n");

        var (values, error, completed) = Chunking.Run(ChunkSplits.Whole(stream), s => s.ParseSse(new() { DataFormat = format }).DeserializeJson(PayloadJson.Default.Payload));

        Assert.Equal([new Payload(1, null)], values);
        Assert.False(completed);
        var payload = Assert.IsType<JsonPayloadException>(error);
        Assert.Equal(JsonPayloadOrigin.ServerSentEvent, payload.Origin);
        Assert.Equal("event #42", payload.Location);
        Assert.Equal(bad[..JsonPayloadException.PreviewLength], payload.PayloadPreview);
        Assert.Contains("event #42", payload.Message, StringComparison.Ordinal);
        Assert.Contains($"It starts: {bad[..JsonPayloadException.PreviewLength]}…", payload.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, payload.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(payload.InnerException);
    }

    [Fact]
    public void DeserializeJson_BadPayloadWithoutId_NamesTheEventTypeAndShowsAShortPayloadWhole()
    {
        var (_, error, _) = Chunking.Run(ChunkSplits.Whole("event: delta\ndata: [DONE]\n\n"u8), s => s.ParseSse().DeserializeJson(PayloadJson.Default.Payload));

        var payload = Assert.IsType<JsonPayloadException>(error);
        Assert.Equal("the delta event", payload.Location);
        Assert.Equal("[DONE]", payload.PayloadPreview);
        Assert.EndsWith("It starts: [DONE]", payload.Message, StringComparison.Ordinal);
    }
}

public sealed record Payload(int N, string? Text);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Payload))]
public sealed partial class PayloadJson : JsonSerializerContext;
