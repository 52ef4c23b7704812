using System.Globalization;
using System.Text;
using RxStream.ServerSentEvents;

namespace RxStream.Cli;

/// <summary>Formats what arrives as one JSON object per line (<c>--output jsonl</c>), keeping text as UTF-8 rather than escapes.</summary>
/// <remarks>
/// System.Text.Json's encoders escape every non-ASCII character (an emoji even with the relaxed encoder), which turns
/// an answer in any language but English into <c>\u00E9</c> soup. RFC 8259 only requires escaping the quotation mark,
/// the reverse solidus and the control characters, so that is what this writer does, plus the few characters that
/// line-oriented readers also treat as line breaks, so that one object always stays on one line.
/// </remarks>
internal static class JsonLine
{
    /// <summary>Formats an SSE event as <c>{"type":…,"data":…,"id":…}</c> and a newline; <c>id</c> is the last event ID, "" when none.</summary>
    public static string Event(SseEvent e) =>
        new StringBuilder().Append("{\"type\":").AppendString(e.EventType).Append(",\"data\":").AppendString(e.Data)
            .Append(",\"id\":").AppendString(e.LastEventId).Append("}\n").ToString();

    /// <summary>Formats a WebSocket message as <c>{"type":"text"|"binary","data":…}</c> and a newline; binary data in base64.</summary>
    public static string Message(Chunk message)
    {
        var binary = message.Kind == ChunkKind.Binary;
        return new StringBuilder().Append("{\"type\":").AppendString(binary ? "binary" : "text").Append(",\"data\":")
            .AppendString(binary ? Convert.ToBase64String(message.Span) : message.GetString()).Append("}\n").ToString();
    }

    /// <summary>Formats a piece of a decoded body as <c>{"text":…}</c> and a newline.</summary>
    public static string Text(string text) => new StringBuilder().Append("{\"text\":").AppendString(text).Append("}\n").ToString();

    private static StringBuilder AppendString(this StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;

                // RFC 8259: "the control characters (U+0000 through U+001F)" must be escaped. NEL and the Unicode line
                // and paragraph separators are legal as they are, but Python's splitlines() and others break lines there.
                case < ' ' or '\u0085' or '\u2028' or '\u2029':
                    AppendEscape(builder, c);
                    break;

                // A surrogate pair is one character and goes out as UTF-8; a lone surrogate has no UTF-8 form, so it
                // is escaped (JSON allows it) rather than silently becoming U+FFFD.
                case >= '\uD800' and <= '\uDBFF' when i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]):
                    builder.Append(c).Append(value[++i]);
                    break;
                case >= '\uD800' and <= '\uDFFF':
                    AppendEscape(builder, c);
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"');
    }

    private static void AppendEscape(StringBuilder builder, char c) =>
        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
