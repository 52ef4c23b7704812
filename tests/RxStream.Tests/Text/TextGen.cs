using CsCheck;

namespace RxStream.Tests.Text;

/// <summary>Byte strings biased toward multi-byte UTF-8, invalid bytes, BOMs, CR/LF pairs and sentinel fragments.</summary>
internal static class TextGen
{
    private static readonly byte[][] Fragments =
    [
        "a"u8.ToArray(), "hello "u8.ToArray(), "é"u8.ToArray(), "你好"u8.ToArray(), "🙂"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xEF, 0xBB],
        [0xFF], [0xC0, 0x80], [0xE0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xF0, 0x9F], [0xE2, 0x82], [0xC3], [0x80], [0xF5],
        "\r"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), "LLM"u8.ToArray(), "-EOF"u8.ToArray(), "LLM-EOF"u8.ToArray(), "L"u8.ToArray(),
        "LL"u8.ToArray(), "abab"u8.ToArray(), "aab"u8.ToArray(), "b"u8.ToArray(),
    ];

    public static readonly Gen<byte[]> Bytes =
        Gen.Int[0, Fragments.Length - 1].Array[0, 40].Select(picks => picks.SelectMany(i => Fragments[i]).ToArray());

    // Valid text in which the sentinels of TakeUntilSentinelTests occur: whole, split into prefixes, and as false
    // starts and overlaps ("aaab" holds "aab" one byte late, "ababab" holds "abab" twice, overlapping).
    private static readonly byte[][] SentinelFragments =
    [
        "a"u8.ToArray(), "b"u8.ToArray(), "ab"u8.ToArray(), "aa"u8.ToArray(), "aab"u8.ToArray(), "abab"u8.ToArray(), "aba"u8.ToArray(),
        "L"u8.ToArray(), "LL"u8.ToArray(), "LLM"u8.ToArray(), "LLM-"u8.ToArray(), "M-E"u8.ToArray(), "-EOF"u8.ToArray(), "OF"u8.ToArray(),
        "LLM-EOF"u8.ToArray(), "LLM-EO"u8.ToArray(), " "u8.ToArray(), "é"u8.ToArray(), "🙂"u8.ToArray(), "\n"u8.ToArray(),
    ];

    public static readonly Gen<byte[]> SentinelText =
        Gen.Int[0, SentinelFragments.Length - 1].Array[0, 16].Select(picks => picks.SelectMany(i => SentinelFragments[i]).ToArray());

    public static readonly Gen<byte[]> ValidText =
        Gen.Int[0, 4].Array[0, 40].Select(picks => picks.SelectMany(i => Fragments[i]).Concat(Fragments[18]).ToArray());
}
