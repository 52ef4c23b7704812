using System.Buffers;
using System.Globalization;
using System.Text;

namespace RxStream.ServerSentEvents;

// Specification: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
/// <summary>Interprets an event stream pushed to it in arbitrary pieces: a span state machine with no Rx in it.</summary>
/// <remarks>
/// <para>Lines are found in the bytes and each field value is decoded from UTF-8 on its own. That gives the same
/// text as decoding the whole stream first, as the specification does, because the bytes that end lines and
/// fields (CR, LF, colon, space) are ASCII, and an ASCII byte always ends an invalid or truncated UTF-8 sequence:
/// the U+FFFD replacements fall in the same places either way.</para>
/// <para>Only new bytes are ever searched. A line that ends within the bytes fed is read in place; only the start
/// of a line that runs past the end of a piece is copied, into a buffer that doubles, so the cost is linear in the
/// input whatever the split.</para>
/// </remarks>
internal sealed class SseStreamParser : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly ISseParserHandler _handler;
    private readonly SseParserOptions _options;

    // Where the line and data buffers come from and go back to; tests pass a counting pool.
    private readonly ArrayPool<byte> _pool;

    // Set by Stop: the handler's subscriber is gone, so not one more line is read, not even the rest of this piece.
    private volatile bool _stopped;

    // How many bytes of a leading BOM have been matched; -1 once the start of the stream is behind us.
    private int _bomMatched;

    // The last piece ended with CR: an LF at the start of the next piece completes that CRLF, not a new line.
    private bool _skipLineFeed;

    // A line buffer this size or smaller is kept from one line to the next: with small chunks most lines straddle
    // two of them, and renting and returning a buffer for each line cost as much as parsing it. A larger buffer,
    // left by a rare long line, goes back to the pool as soon as its line is done.
    private const int RetainedLineBufferSize = 4096;

    // The start of a line that has not ended yet, pooled; null until a line runs past the end of a piece.
    private byte[]? _line;
    private int _lineLength;

    // The data buffer: data lines, each followed by LF, as UTF-8. Pooled; null until the first data line.
    private byte[]? _data;
    private int _dataLength;

    // The event type buffer; null stands for the empty string (so "message").
    private string? _eventType;

    // The last event ID buffer, set by id lines; and the last event ID string, set from it at each dispatch.
    private string _lastEventIdBuffer;
    private string _lastEventId;

    // The reconnection time set by a retry field of the current block, reported with its event.
    private TimeSpan? _blockRetry;

    public SseStreamParser(SseParserOptions options, ISseParserHandler handler, string? lastEventId = null, ArrayPool<byte>? pool = null)
    {
        _options = options;
        _handler = handler;
        _pool = pool ?? ArrayPool<byte>.Shared;
        _lastEventId = _lastEventIdBuffer = lastEventId ?? options.InitialLastEventId ?? string.Empty;
    }

    /// <summary>Gets the last event ID string: the ID in force when the last event was dispatched, which a reconnect sends as <c>Last-Event-ID</c>.</summary>
    public string LastEventId => _lastEventId;

    /// <summary>Interprets the next bytes of the stream, reporting each event, comment and retry as its line completes.</summary>
    /// <exception cref="StreamLimitExceededException">A line or an event crossed its limit.</exception>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || _stopped)
        {
            return;
        }

        if (_bomMatched >= 0)
        {
            bytes = SkipBom(bytes);
            if (bytes.IsEmpty)
            {
                return;
            }
        }

        if (_skipLineFeed)
        {
            _skipLineFeed = false;
            if (bytes[0] == (byte)'\n')
            {
                bytes = bytes[1..];
            }
        }

        while (!bytes.IsEmpty)
        {
            // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a
            // single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                AppendToLine(bytes);
                return;
            }

            if (_lineLength == 0)
            {
                CheckLineLength(end);
                ProcessLine(bytes[..end]);
            }
            else
            {
                AppendToLine(bytes[..end]);
                var line = _line.AsSpan(0, _lineLength);
                _lineLength = 0;
                ProcessLine(line);
            }

            // A line reports at most one thing to the handler; if that made the subscriber leave, stop here.
            if (_stopped)
            {
                return;
            }

            if (bytes[end] == (byte)'\r')
            {
                if (end + 1 == bytes.Length)
                {
                    _skipLineFeed = true;
                    return;
                }

                if (bytes[end + 1] == (byte)'\n')
                {
                    end++;
                }
            }

            bytes = bytes[(end + 1)..];
            ReleaseLine();
        }
    }

    /// <summary>Ends the stream: "Once the end of the file is reached, any pending data must be discarded."</summary>
    /// <remarks>An event not closed by a blank line is not dispatched, as a browser does.</remarks>
    public void Complete()
    {
        _lineLength = 0;
        _dataLength = 0;
        _eventType = null;
        _blockRetry = null;
    }

    /// <summary>Stops the parser at once: <see cref="Feed"/> reports nothing more, not even from the rest of the piece it is reading.</summary>
    /// <remarks>Called when the subscriber leaves from inside a handler call (a re-entrant dispose), so no user callback runs after it.</remarks>
    public void Stop() => _stopped = true;

    public void Dispose()
    {
        if (_line is { } line)
        {
            _line = null;
            _lineLength = 0;
            _pool.Return(line);
        }

        if (_data is { } data)
        {
            _data = null;
            _pool.Return(data);
        }
    }

    // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present." The BOM may arrive split.
    private ReadOnlySpan<byte> SkipBom(ReadOnlySpan<byte> bytes)
    {
        var matched = _bomMatched;
        var i = 0;
        while (matched < Bom.Length && i < bytes.Length && bytes[i] == Bom[matched])
        {
            matched++;
            i++;
        }

        if (matched == Bom.Length)
        {
            _bomMatched = -1;
            return bytes[i..];
        }

        if (i == bytes.Length)
        {
            // Still a possible BOM: hold what matched until the next piece says.
            _bomMatched = matched;
            return [];
        }

        // Not a BOM after all: the bytes held back were the start of the stream and go through as data.
        _bomMatched = -1;
        if (matched > i)
        {
            var held = Bom.AsSpan(0, matched - i);
            Feed(held);
        }

        return bytes;
    }

    private void AppendToLine(ReadOnlySpan<byte> bytes)
    {
        var length = _lineLength + bytes.Length;
        CheckLineLength(length);
        if (_line is null || _line.Length < length)
        {
            var grown = _pool.Rent(Math.Max(length, Math.Min(_options.MaxLineLength, Math.Max(256, (_line?.Length ?? 0) * 2))));
            if (_line is not null)
            {
                _line.AsSpan(0, _lineLength).CopyTo(grown);
                _pool.Return(_line);
            }

            _line = grown;
        }

        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength = length;
    }

    private void ReleaseLine()
    {
        if (_line is { Length: > RetainedLineBufferSize } line && _lineLength == 0)
        {
            _line = null;
            _pool.Return(line);
        }
    }

    private void CheckLineLength(int length)
    {
        if (length > _options.MaxLineLength)
        {
            throw new StreamLimitExceededException(nameof(SseParserOptions.MaxLineLength), _options.MaxLineLength, "bytes");
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        // "If the line is empty (a blank line): Dispatch the event."
        if (line.IsEmpty)
        {
            Dispatch();
            return;
        }

        // "If the line starts with a U+003A COLON character (:): Ignore the line." It is a comment; we tell the handler,
        // because a heartbeat is activity.
        if (line[0] == (byte)':')
        {
            _handler.OnComment(line[1..]);
            return;
        }

        // Nearly every line of a real stream is a data line: when the line starts with "data:", that colon is the
        // first one, so the general rule below gives the same field and value without searching for it.
        if (line.StartsWith("data:"u8))
        {
            var data = line[5..];
            AppendData(!data.IsEmpty && data[0] == (byte)' ' ? data[1..] : data);
            return;
        }

        // "If the line contains a U+003A COLON character: collect the characters before the first one as field, and
        // those after it as value; if value starts with a U+0020 SPACE character, remove it." Only one space goes.
        // "Otherwise, the string is not empty but does not contain a colon: the whole line is the field name, and
        // the empty string the value."
        var colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field, value;
        if (colon < 0)
        {
            field = line;
            value = [];
        }
        else
        {
            field = line[..colon];
            value = line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }
        }

        ProcessField(field, value);
    }

    private void ProcessField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        if (field.SequenceEqual("data"u8))
        {
            // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF) character."
            AppendData(value);
        }
        else if (field.SequenceEqual("event"u8))
        {
            // "Set the event type buffer to the field value."
            _eventType = value.IsEmpty ? null : Decode(value, _eventType);
        }
        else if (field.SequenceEqual("id"u8))
        {
            // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field value.
            // Otherwise, ignore the field."
            if (!value.Contains((byte)0))
            {
                _lastEventIdBuffer = value.IsEmpty ? string.Empty : Decode(value, _lastEventIdBuffer);
            }
        }
        else if (field.SequenceEqual("retry"u8))
        {
            // "If the field value consists of only ASCII digits, then interpret the field value as an integer in base
            // ten, and set the event stream's reconnection time to that integer. Otherwise, ignore the field."
            // A value too large for a TimeSpan means never (see TryMilliseconds); one beyond 64 bits is ignored.
            if (!value.IsEmpty && !value.ContainsAnyExceptInRange((byte)'0', (byte)'9') && TryMilliseconds(value, out var retry))
            {
                _blockRetry = retry;
                _handler.OnRetry(retry);
            }
        }

        // "Otherwise: The field is ignored."
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        var length = _dataLength + value.Length + 1;
        if (length - 1 > _options.MaxEventSize)
        {
            throw new StreamLimitExceededException(nameof(SseParserOptions.MaxEventSize), _options.MaxEventSize, "bytes");
        }

        if (_data is null || _data.Length < length)
        {
            var grown = _pool.Rent(Math.Max(length, Math.Max(256, (_data?.Length ?? 0) * 2)));
            if (_data is not null)
            {
                _data.AsSpan(0, _dataLength).CopyTo(grown);
                _pool.Return(_data);
            }

            _data = grown;
        }

        value.CopyTo(_data.AsSpan(_dataLength));
        _data[length - 1] = (byte)'\n';
        _dataLength = length;
    }

    private void Dispatch()
    {
        // "1. Set the last event ID string of the event source to the value of the last event ID buffer. The buffer
        // does not get reset, so the last event ID string of the event source remains set to this value until the
        // next time it is set by the server." This happens even when no event follows.
        _lastEventId = _lastEventIdBuffer;
        var retry = _blockRetry;
        _blockRetry = null;

        // "2. If the data buffer is an empty string, set the data buffer and the event type buffer to the empty
        // string and return."
        if (_dataLength == 0)
        {
            _eventType = null;
            return;
        }

        // "3. If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove the last
        // character from the data buffer." It always is: every data line appends one.
        var data = _data.AsSpan(0, _dataLength - 1);

        // "4.–6. Initialize event's type to the event type buffer (or "message" when it is empty), its data to the
        // data buffer, and its lastEventId to the last event ID string."
        var value = _options.DataFormat == SseDataFormat.Utf8
            ? new SseEvent(_eventType ?? SseEvent.DefaultEventType, data.ToArray(), _lastEventId, retry)
            : new SseEvent(_eventType, Encoding.UTF8.GetString(data), _lastEventId, retry);

        // "7. Set the data buffer and the event type buffer to the empty string."
        _dataLength = 0;
        _eventType = null;
        _handler.OnEvent(value);
    }

    // Streams repeat the same event type (and often the same ID) on every event: reuse the previous string when the
    // bytes spell it again, instead of allocating a copy per event.
    private static string Decode(ReadOnlySpan<byte> utf8, string? previous)
    {
        if (previous is not null && previous.Length == utf8.Length && Ascii.Equals(utf8, previous))
        {
            return previous;
        }

        return Encoding.UTF8.GetString(utf8);
    }

    // A value beyond 64 bits is not an integer a browser can hold (Chromium's StringToUint64 fails) and is ignored.
    // One that fits in 64 bits but not in a TimeSpan saturates to TimeSpan.MaxValue: practically never, which is
    // what a browser waits after "retry: 18446744073709551615".
    private static bool TryMilliseconds(ReadOnlySpan<byte> digits, out TimeSpan value)
    {
        const ulong MaxMilliseconds = long.MaxValue / TimeSpan.TicksPerMillisecond;
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            value = default;
            return false;
        }

        value = milliseconds > MaxMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds((long)milliseconds);
        return true;
    }
}
