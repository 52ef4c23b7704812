using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using System.Text.Json.Serialization;
using RxStream;
using RxStream.Resilience;

// Uses every RxStream source and operator, the way an application does, against the server at the address given,
// and prints one line per source. The test that publishes this program with Native AOT starts that server.
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var server))
{
    Console.Error.WriteLine("usage: AotConsumer BASE-URL");
    return 2;
}

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
using var client = new HttpClient(StreamObservable.CreateHttpHandler());
var delta = ConsumerJson.Default.Delta;

// EventSource: the first connection ends after one event; the second resumes after it with Last-Event-ID.
var sse = await StreamObservable.EventSource(client, new Uri(server, "sse"))
    .TakeUntilSentinel(e => e.Data == "[DONE]")
    .DeserializeJson(delta)
    .Select(d => d.Text)
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"sse: {string.Concat(sse)}");

// fetch + TextDecoder: a body whose characters and sentinel are split across writes.
var lines = await StreamObservable.Fetch(client, new Uri(server, "fetch"))
    .IdleTimeout(TimeSpan.FromSeconds(30))
    .DecodeUtf8()
    .TakeUntilSentinel("LLM-EOF")
    .SplitLines()
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"fetch: {string.Join('|', lines)}");

// NDJSON: one JSON document a line.
var ndjson = await StreamObservable.Fetch(client, new Uri(server, "ndjson"))
    .ParseJsonLines(delta)
    .Select(d => d.Text)
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"ndjson: {string.Join(',', ndjson)}");

// Reconnect: the first attempt gets a 503, the second the answer, whose bytes stop at a sentinel split across writes.
var recovered = await StreamObservable.Fetch(client, new Uri(server, "flaky"))
    .Reconnect(new ReconnectOptions { BaseDelay = TimeSpan.FromMilliseconds(50), UseJitter = false, MaxFailedAttempts = 3 })
    .TakeUntilSentinel("LLM-EOF"u8.ToArray())
    .DecodeUtf8()
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"reconnect: {string.Concat(recovered)}");

// WebSocket: one JSON document a message, up to a sentinel message.
var socketUri = new UriBuilder(new Uri(server, "ws")) { Scheme = server.Scheme == "https" ? "wss" : "ws" }.Uri;
var messages = await StreamObservable.WebSocket(socketUri)
    .TakeUntilSentinel(message => message.GetString() == "[DONE]")
    .DeserializeJson(delta)
    .Select(d => d.Text)
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"ws: {string.Join(',', messages)}");

// FromStream: an SSE body read from any Stream.
var recording = new MemoryStream(Encoding.UTF8.GetBytes("data: {\"text\":\"x\"}\n\n: a comment\ndata: {\"text\":\"y\"}\n\n"));
var replayed = await StreamObservable.FromStream(recording)
    .ParseSse()
    .DeserializeJson(delta)
    .Select(d => d.Text)
    .ToArray()
    .ToTask(deadline.Token);
Console.WriteLine($"stream: {string.Join(',', replayed)}");
return 0;

/// <summary>One piece of an answer.</summary>
internal sealed record Delta(string Text);

/// <summary>The source-generated JSON metadata that keeps deserialization free of reflection under AOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Delta))]
internal sealed partial class ConsumerJson : JsonSerializerContext;
