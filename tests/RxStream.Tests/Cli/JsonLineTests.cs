using System.Text;
using System.Text.Json;
using RxStream.Cli;
using RxStream.ServerSentEvents;

namespace RxStream.Tests.Cli;

public class JsonLineTests
{
    [Fact]
    public void JsonLine_Text_EscapesWhatJsonRequiresAndUnicodeLineBreaksAndKeepsTheRestAsIs()
    {
        var line = JsonLine.Text("\"\\\n\r\t\b\f\u0001\u001f\u007f\u0085\u2028\u2029é🚀<>&'/");

        Assert.Equal("{\"text\":\"\\\"\\\\\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\u007f\\u0085\\u2028\\u2029é🚀<>&'/\"}\n", line);
    }

    [Fact]
    public void JsonLine_LoneSurrogates_AreEscapedRatherThanReplaced()
    {
        Assert.Equal("{\"text\":\"x\\ud800y\\udc00\"}\n", JsonLine.Text("x\uD800y\uDC00"));
    }

    [Fact]
    public void JsonLine_Event_CarriesTypeDataAndLastEventIdEmptyWhenNone()
    {
        Assert.Equal("{\"type\":\"message\",\"data\":\"a\\nb\",\"id\":\"\"}\n", JsonLine.Event(new SseEvent(null, "a\nb")));
        Assert.Equal("{\"type\":\"delta\",\"data\":\"\",\"id\":\"é1\"}\n", JsonLine.Event(new SseEvent("delta", string.Empty, "é1")));
    }

    [Fact]
    public void JsonLine_Message_TextAsTextBinaryAsBase64()
    {
        Assert.Equal("{\"type\":\"text\",\"data\":\"héllo\"}\n", JsonLine.Message(Chunk.FromString("héllo", ChunkKind.Text, endOfMessage: true)));
        Assert.Equal("{\"type\":\"binary\",\"data\":\"AAEC/w==\"}\n", JsonLine.Message(Chunk.Copy([0, 1, 2, 0xFF], ChunkKind.Binary, endOfMessage: true)));
    }

    [Fact]
    public void JsonLine_RandomText_IsOneLineThatParsesBackToTheSameString()
    {
        var random = new Random(20_240_611);
        for (var i = 0; i < 10_000; i++)
        {
            var text = RandomText(random);

            var line = JsonLine.Text(text);

            Assert.Equal(line.Length - 1, line.IndexOfAny(['\n', '\r', '\u0085', '\u2028', '\u2029']));
            using var json = JsonDocument.Parse(line);
            Assert.Equal(text, json.RootElement.GetProperty("text").GetString());
        }
    }

    // Well-formed UTF-16 that leans on the characters a JSON writer gets wrong: controls, quotes, line breaks, astral.
    private static string RandomText(Random random)
    {
        int[] tricky = ['"', '\\', '\n', '\r', '\t', 0, 0x1F, 0x7F, 0x85, 0x2028, 0x2029, 0xFEFF, 0xFFFD, 0x1F680, 0x10FFFF];
        var builder = new StringBuilder();
        for (var length = random.Next(12); length > 0; length--)
        {
            var scalar = random.Next(3) switch
            {
                0 => tricky[random.Next(tricky.Length)],
                1 => random.Next(0x20, 0x80),
                _ => random.Next(2) == 0 ? random.Next(0x80, 0xD800) : random.Next(0xE000, 0x110000),
            };
            builder.Append(char.ConvertFromUtf32(scalar));
        }

        return builder.ToString();
    }
}
