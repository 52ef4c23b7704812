using System.Text;
using CsCheck;

namespace RxStream.Tests.ServerSentEvents;

/// <summary>Generates event streams biased toward what breaks parsers: split line ends, BOMs, bad UTF-8, odd fields.</summary>
internal static class SseGen
{
    private static readonly byte[][] Fragments =
    [
        "data"u8.ToArray(), "data:"u8.ToArray(), "data: "u8.ToArray(), "data:  two"u8.ToArray(), "data: hello"u8.ToArray(),
        "event: ping"u8.ToArray(), "event:"u8.ToArray(), "event"u8.ToArray(), "id: 7"u8.ToArray(), "id:"u8.ToArray(), "id"u8.ToArray(),
        "id: a\0b"u8.ToArray(), "id: é"u8.ToArray(), "retry: 1500"u8.ToArray(), "retry: 15x"u8.ToArray(), "retry:"u8.ToArray(),
        ": heartbeat"u8.ToArray(), ":"u8.ToArray(), "unknown: field"u8.ToArray(), "Data: case"u8.ToArray(), " data: lead"u8.ToArray(),
        "\n"u8.ToArray(), "\r"u8.ToArray(), "\r\n"u8.ToArray(), "\n\n"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "\n\n"u8.ToArray(),
        [0xEF, 0xBB, 0xBF], [0xEF, 0xBB], [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x99, 0x82], "你好"u8.ToArray(), [0xED, 0xA0, 0x80],
        "x"u8.ToArray(), " "u8.ToArray(), ":"u8.ToArray(), "[DONE]"u8.ToArray(),
    ];

    public static readonly Gen<byte[]> Stream =
        Gen.Int[0, Fragments.Length - 1].Array[0, 40].Select(picks => picks.SelectMany(i => Fragments[i]).ToArray());

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
