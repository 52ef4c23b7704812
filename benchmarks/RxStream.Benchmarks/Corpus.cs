using System.Text;

namespace RxStream.Benchmarks;

/// <summary>Builds the benchmark inputs: chat-style UTF-8 text, mostly ASCII with some CJK and emoji, made from a fixed seed.</summary>
public static class Corpus
{
    /// <summary>The seed every corpus is made from, so runs compare like with like.</summary>
    public const int Seed = 20261124;

    private static readonly string[] Words =
    [
        "the", "stream", "token", "model", "answer", "reactive", "observable", "chunk", "server", "client",
        "event", "data", "retry", "connection", "latency", "buffer", "decode", "parse", "sentinel", "reply",
        "hello", "world", "question", "because", "however", "therefore", "example", "context", "prompt", "system",
    ];

    // About one word in twelve is not ASCII: two- and three-byte letters, CJK, and four-byte emoji.
    private static readonly string[] Foreign = ["café", "naïve", "日本語", "中文", "한국어", "😀", "🚀", "👍🏽", "Ωμέγα", "привет"];

    /// <summary>Makes exactly <paramref name="byteCount"/> bytes of chat text (ending on a whole character, padded with spaces).</summary>
    public static byte[] ChatText(int byteCount, int seed = Seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(byteCount);
        var bytes = 0;
        while (true)
        {
            var word = random.Next(12) == 0 ? Foreign[random.Next(Foreign.Length)] : Words[random.Next(Words.Length)];
            var separator = random.Next(16) switch { 0 => ".\n", 1 => ", ", _ => " " };
            var size = Encoding.UTF8.GetByteCount(word) + separator.Length;
            if (bytes + size > byteCount)
            {
                break;
            }

            builder.Append(word).Append(separator);
            bytes += size;
        }

        builder.Append(' ', byteCount - bytes);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Cuts <paramref name="data"/> into chunks of <paramref name="chunkSize"/> bytes (the last may be shorter).</summary>
    public static Chunk[] Split(byte[] data, int chunkSize)
    {
        var chunks = new Chunk[(data.Length + chunkSize - 1) / chunkSize];
        for (var i = 0; i < chunks.Length; i++)
        {
            var offset = i * chunkSize;
            chunks[i] = Chunk.FromArray(data, offset, Math.Min(chunkSize, data.Length - offset));
        }

        return chunks;
    }
}
