using System.Text;
using RxStream.Tests.Text;

namespace RxStream.Tests.ServerSentEvents;

/// <summary>
/// A literal transcription of the WHATWG "event stream interpretation" over a whole stream, in strings, independent of
/// the production parser: decode everything first, split lines on characters, then run the field steps word for word.
/// </summary>
/// <remarks>https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation</remarks>
internal static class WhatwgEventStreamReference
{
    public static List<(string Type, string Data, string LastEventId)> Interpret(byte[] stream, string initialLastEventId = "")
    {
        // "Streams must be decoded using the UTF-8 decode algorithm", which drops one leading BOM.
        var text = WhatwgUtf8Reference.Decode(stream);
        var events = new List<(string, string, string)>();
        var data = new StringBuilder();
        var eventType = string.Empty;
        var lastEventIdBuffer = initialLastEventId;
        var lastEventId = initialLastEventId;

        foreach (var line in Lines(text))
        {
            if (line.Length == 0)
            {
                // Dispatch the event.
                lastEventId = lastEventIdBuffer;
                if (data.Length == 0)
                {
                    eventType = string.Empty;
                    continue;
                }

                if (data[^1] == '\n')
                {
                    data.Length--;
                }

                events.Add((eventType.Length == 0 ? "message" : eventType, data.ToString(), lastEventId));
                data.Clear();
                eventType = string.Empty;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            string field, value;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                field = line[..colon];
                value = line[(colon + 1)..];
                if (value.StartsWith(' '))
                {
                    value = value[1..];
                }
            }
            else
            {
                field = line;
                value = string.Empty;
            }

            switch (field)
            {
                case "event":
                    eventType = value;
                    break;
                case "data":
                    data.Append(value).Append('\n');
                    break;
                case "id":
                    if (!value.Contains('\0', StringComparison.Ordinal))
                    {
                        lastEventIdBuffer = value;
                    }

                    break;
            }
        }

        // "Once the end of the file is reached, any pending data must be discarded."
        return events;
    }

    // "CRLF, a single LF not preceded by CR, and a single CR not followed by LF" end a line; text after the last line
    // end is not a line.
    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\r' or '\n')
            {
                yield return text[start..i];
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }
    }
}
