using System.Buffers;
using System.Text;
using System.Text.Json;

namespace RxStream.Testing.Recording;

/// <summary>Writes a recording line by line as a stream arrives: a header line, then for each connection its opening, its chunks and its end.</summary>
/// <remarks>
/// <para>The format is versioned, line-oriented JSON (one object per line) and is stable enough to commit next to
/// tests; the README documents it. Each line is written and flushed as it happens, so a recording cut short by a
/// crash keeps everything before it. The values of <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>,
/// <c>Set-Cookie</c> and of every header named in the constructor are replaced with <c>[redacted]</c>.</para>
/// <para>The methods are safe to call from several threads; lines never interleave.</para>
/// </remarks>
public sealed class RecordingWriter : IDisposable
{
    private static readonly string[] AlwaysRedacted = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"];

    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly HashSet<string> _redact;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Starts a recording on <paramref name="writer"/> and writes its header line.</summary>
    /// <param name="writer">Where the lines go; UTF-8 is expected for a file.</param>
    /// <param name="transport">What was recorded: <c>sse</c>, <c>fetch</c>, <c>ws</c>, or <c>chunks</c> for any <see cref="IObservable{T}"/> of chunks.</param>
    /// <param name="url">The address the stream came from, if any; its user-info is dropped.</param>
    /// <param name="redactHeaders">More header names whose values must not be written, besides the credentials always redacted.</param>
    /// <param name="ownsWriter">Whether disposal disposes <paramref name="writer"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="transport"/> is <see langword="null"/>.</exception>
    public RecordingWriter(TextWriter writer, string transport, Uri? url = null, IEnumerable<string>? redactHeaders = null, bool ownsWriter = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrWhiteSpace(transport);
        _writer = writer;
        _ownsWriter = ownsWriter;
        _redact = new HashSet<string>(AlwaysRedacted.Concat(redactHeaders ?? []), StringComparer.OrdinalIgnoreCase);
        WriteLine(json =>
        {
            json.WriteString("format", RecordingFormat.Name);
            json.WriteNumber("version", RecordingFormat.Version);
            json.WriteString("transport", transport);
            if (url is not null)
            {
                // A URL's user-info is a credential too.
                json.WriteString("url", string.IsNullOrEmpty(url.UserInfo) ? url.OriginalString : new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri.ToString());
            }
        });
    }

    /// <summary>Creates (or overwrites) a UTF-8 recording file and writes its header line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="transport">What is recorded: <c>sse</c>, <c>fetch</c>, <c>ws</c> or <c>chunks</c>.</param>
    /// <param name="url">The address the stream comes from, if any.</param>
    /// <param name="redactHeaders">More header names whose values must not be written.</param>
    /// <returns>The writer, which owns the file.</returns>
    public static RecordingWriter Create(string path, string transport, Uri? url = null, IEnumerable<string>? redactHeaders = null)
    {
        var file = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        return new RecordingWriter(file, transport, url, redactHeaders, ownsWriter: true);
    }

    /// <summary>Writes the opening of a connection: a new connection starts here, and the chunks that follow belong to it.</summary>
    /// <param name="offset">When it opened, from the start of the recording.</param>
    /// <param name="status">The response status (101 for a WebSocket), or <see langword="null"/> when there is none to tell.</param>
    /// <param name="reason">The reason phrase, if any.</param>
    /// <param name="headers">The response headers (content headers included); secrets are redacted here.</param>
    public void WriteOpen(TimeSpan offset, int? status = null, string? reason = null, IEnumerable<KeyValuePair<string, string>>? headers = null) => WriteLine(json =>
    {
        json.WriteString("type", "open");
        json.WriteNumber("ms", RecordingFormat.Milliseconds(offset));
        if (status is { } code)
        {
            json.WriteNumber("status", code);
        }

        if (reason is not null)
        {
            json.WriteString("reason", reason);
        }

        json.WriteStartArray("headers");
        foreach (var (name, value) in headers ?? [])
        {
            json.WriteStartArray();
            json.WriteStringValue(name);
            json.WriteStringValue(_redact.Contains(name) ? RecordingFormat.Redacted : value);
            json.WriteEndArray();
        }

        json.WriteEndArray();
    });

    /// <summary>Writes one chunk as it arrived, byte for byte: as <c>text</c> when it is valid UTF-8, else as <c>base64</c>.</summary>
    /// <param name="offset">When it arrived, from the start of its connection.</param>
    /// <param name="chunk">The chunk.</param>
    public void WriteChunk(TimeSpan offset, Chunk chunk) => WriteLine(json =>
    {
        json.WriteString("type", "chunk");
        json.WriteNumber("ms", RecordingFormat.Milliseconds(offset));
        if (chunk.Kind != ChunkKind.Stream)
        {
            json.WriteString("kind", RecordingFormat.KindName(chunk.Kind));
            json.WriteBoolean("end", chunk.IsEndOfMessage);
        }

        RecordingFormat.WriteBytes(json, chunk.Span);
    });

    /// <summary>Writes how the current connection ended.</summary>
    /// <param name="end">The end, with its offset from the start of the connection.</param>
    /// <exception cref="ArgumentNullException"><paramref name="end"/> is <see langword="null"/>.</exception>
    public void WriteEnd(RecordedEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        WriteLine(json =>
        {
            json.WriteString("type", "end");
            json.WriteNumber("ms", RecordingFormat.Milliseconds(end.Offset));
            json.WriteString("how", RecordingFormat.EndName(end.Kind));
            if (end.CloseStatus is { } status)
            {
                json.WriteNumber("closeStatus", status);
            }

            if (end.CloseDescription is not null)
            {
                json.WriteString("closeDescription", end.CloseDescription);
            }

            if (end.Error is not null)
            {
                json.WriteString("error", end.Error);
            }
        });
    }

    /// <summary>Flushes and, when it owns the writer, closes it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Flush();
            if (_ownsWriter)
            {
                _writer.Dispose();
            }
        }
    }

    private void WriteLine(Action<Utf8JsonWriter> write)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(_line, RecordingFormat.WriterOptions))
            {
                json.WriteStartObject();
                write(json);
                json.WriteEndObject();
            }

            _writer.Write(Encoding.UTF8.GetString(_line.WrittenSpan));
            _writer.Write('\n');
            _writer.Flush();
        }
    }
}
