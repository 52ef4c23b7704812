using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>Names the event streams the SSE benchmarks parse.</summary>
public enum SseCorpusKind
{
    /// <summary>100,000 one-token events of about 60 bytes, as an LLM streams its answer.</summary>
    LlmTokens,

    /// <summary>1,000 events of about 64 KiB, each one JSON document spread over some 600 <c>data</c> lines.</summary>
    LargeMultiLine,
}

/// <summary>Builds the event streams of the SSE benchmarks from a fixed seed.</summary>
public static class SseCorpus
{
    /// <summary>How many events <see cref="SseCorpusKind.LlmTokens"/> holds.</summary>
    public const int TokenEvents = 100_000;

    /// <summary>How many events <see cref="SseCorpusKind.LargeMultiLine"/> holds.</summary>
    public const int LargeEvents = 1_000;

    /// <summary>The data size each large event reaches, in bytes.</summary>
    public const int LargeEventBytes = 64 * 1024;

    // Chat text keeps its non-ASCII letters as UTF-8, as most servers send them, so the string path pays for real decoding.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Makes the UTF-8 bytes of the named stream.</summary>
    public static byte[] Build(SseCorpusKind kind) => kind switch
    {
        SseCorpusKind.LlmTokens => Tokens(TokenEvents, done: false),
        SseCorpusKind.LargeMultiLine => Large(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corpus."),
    };

    /// <summary>Makes <paramref name="count"/> token events like <c>data: {"choices":[{"delta":{"content":"token 42"}}]}</c>, then <c>data: [DONE]</c> when asked.</summary>
    public static byte[] Tokens(int count, bool done)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append("data: {\"choices\":[{\"delta\":{\"content\":\"token ").Append(i % 977).Append("\"}}]}\n\n");
        }

        if (done)
        {
            text.Append("data: [DONE]\n\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Makes a stream of one event of <paramref name="textBytes"/> bytes of chat text on a single <c>data</c> line.</summary>
    public static byte[] OneLine(int textBytes)
    {
        var text = Corpus.ChatText(textBytes);
        text.AsSpan().Replace((byte)'\n', (byte)' ');
        return [.. "data: "u8, .. text, .. "\n\n"u8];
    }

    // Each event: an id line, then {"choices":[ on one data line, one choice per data line, and ]} on the last.
    private static byte[] Large()
    {
        var words = Encoding.UTF8.GetString(Corpus.ChatText(8 * 1024 * 1024)).Replace('\n', ' ');
        var random = new Random(Corpus.Seed);
        var text = new StringBuilder(LargeEvents * (LargeEventBytes + 8 * 1024));
        var at = 0;
        for (var e = 0; e < LargeEvents; e++)
        {
            text.Append("id: ").Append(e).Append("\ndata: {\"choices\":[");
            var size = 0;
            var first = true;
            while (size < LargeEventBytes)
            {
                var length = random.Next(40, 160);
                if (at + length + 1 > words.Length)
                {
                    at = 0;
                }

                // Never cut a surrogate pair: a lone half is not text.
                if (char.IsLowSurrogate(words[at]))
                {
                    at++;
                }

                if (char.IsHighSurrogate(words[at + length - 1]))
                {
                    length++;
                }

                var content = JsonSerializer.Serialize(words.Substring(at, length), RelaxedJson);
                at += length;
                var line = $"{(first ? string.Empty : ",")}\ndata: {{\"delta\":{{\"content\":{content}}}}}";
                first = false;
                text.Append(line);
                size += Encoding.UTF8.GetByteCount(line);
            }

            text.Append("\ndata: ]}\n\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
