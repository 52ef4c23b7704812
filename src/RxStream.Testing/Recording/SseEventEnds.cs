namespace RxStream.Testing.Recording;

/// <summary>Finds where, in a Server-Sent Events body, the event that set a given last event ID ends.</summary>
/// <remarks>Specification: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation</remarks>
internal static class SseEventEnds
{
    /// <summary>Returns the offset just past the blank line that dispatched the first event whose <c>id</c> field set <paramref name="lastEventId"/>, or <see langword="null"/>.</summary>
    public static int? After(ReadOnlySpan<byte> body, string lastEventId)
    {
        var wanted = System.Text.Encoding.UTF8.GetBytes(lastEventId);
        var position = 0;

        // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
        if (body.StartsWith("\uFEFF"u8))
        {
            position = 3;
        }

        var setHere = false;
        while (position < body.Length)
        {
            // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single
            // U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
            var rest = body[position..];
            var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                return null;
            }

            var line = rest[..end];
            var next = position + end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
            if (line.IsEmpty)
            {
                // "If the line is empty (a blank line): Dispatch the event."
                if (setHere)
                {
                    return next;
                }
            }
            else if (line.StartsWith("id"u8) && (line.Length == 2 || line[2] == ':'))
            {
                // "If the field name is "id": If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field value."
                var value = line.Length == 2 ? ReadOnlySpan<byte>.Empty : line[3..];
                if (!value.IsEmpty && value[0] == ' ')
                {
                    value = value[1..];
                }

                if (!value.Contains((byte)0))
                {
                    setHere = value.SequenceEqual(wanted);
                }
            }

            position = next;
        }

        return null;
    }
}
