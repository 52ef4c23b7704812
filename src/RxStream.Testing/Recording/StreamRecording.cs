using System.Text;
using System.Text.Json;

namespace RxStream.Testing.Recording;

/// <summary>Holds a recorded stream, read from the rxstream-recording format: what was recorded, from where, and each connection's response, chunks and end.</summary>
/// <remarks>Write one with <see cref="RecordingWriter"/>, <c>rxstream … --record FILE</c> or <see cref="StreamTesting.Record"/>; play it
/// back in virtual time with <see cref="ScriptedHttpHandler"/> and <see cref="ScriptedWebSocketHandler"/>, or over loopback with <c>rxstream replay</c>.</remarks>
public sealed class StreamRecording
{
    /// <summary>Initializes a recording.</summary>
    /// <param name="transport">What was recorded: <c>sse</c>, <c>fetch</c>, <c>ws</c> or <c>chunks</c>.</param>
    /// <param name="url">The address it came from, if known.</param>
    /// <param name="connections">The connections, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> or <paramref name="connections"/> is <see langword="null"/>.</exception>
    public StreamRecording(string transport, string? url, IReadOnlyList<RecordedConnection> connections)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(connections);
        Transport = transport;
        Url = url;
        Connections = connections;
    }

    /// <summary>Gets what was recorded: <c>sse</c>, <c>fetch</c>, <c>ws</c> or <c>chunks</c>.</summary>
    public string Transport { get; }

    /// <summary>Gets the address the stream came from, if known.</summary>
    public string? Url { get; }

    /// <summary>Gets the recorded connections, in the order they opened.</summary>
    public IReadOnlyList<RecordedConnection> Connections { get; }

    /// <summary>Reads a recording file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="RecordingFormatException">The file is not a recording this version can read.</exception>
    public static StreamRecording Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader);
    }

    /// <summary>Reads a recording from text.</summary>
    /// <param name="reader">The lines.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="RecordingFormatException">The text is not a recording this version can read.</exception>
    public static StreamRecording Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var number = 0;
        string? transport = null;
        string? url = null;
        var connections = new List<RecordedConnection>();
        Builder? current = null;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            using var document = Parse(line, number);
            var root = document.RootElement;
            if (transport is null)
            {
                if (String(root, "format") != RecordingFormat.Name)
                {
                    throw new RecordingFormatException(number, $"the first line must be the header {{\"format\":\"{RecordingFormat.Name}\",...}}.");
                }

                if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != RecordingFormat.Version)
                {
                    throw new RecordingFormatException(number, $"only version {RecordingFormat.Version} is supported.");
                }

                transport = String(root, "transport") ?? throw new RecordingFormatException(number, "the header has no transport.");
                url = String(root, "url");
                continue;
            }

            switch (String(root, "type"))
            {
                case "open":
                    if (current is not null)
                    {
                        connections.Add(current.Build());
                    }

                    current = new Builder(Offset(root, number), Int(root, "status"), String(root, "reason"), Headers(root, number));
                    break;
                case "chunk":
                    current ??= new Builder(TimeSpan.Zero, null, null, []);
                    var kind = RecordingFormat.ParseKind(String(root, "kind"), number);
                    var end = root.TryGetProperty("end", out var flag) && flag.ValueKind == JsonValueKind.True;
                    current.Chunks.Add(new RecordedChunk(Offset(root, number), new Chunk(Bytes(root, number), kind, kind != ChunkKind.Stream && end)));
                    break;
                case "end":
                    current ??= new Builder(TimeSpan.Zero, null, null, []);
                    current.End = new RecordedEnd(Offset(root, number), RecordingFormat.ParseEnd(String(root, "how"), number), Int(root, "closeStatus"), String(root, "closeDescription"), String(root, "error"));
                    connections.Add(current.Build());
                    current = null;
                    break;
                default:
                    // Lines of a type this version does not know are skipped, so a later minor addition does not break old readers.
                    break;
            }
        }

        if (transport is null)
        {
            throw new RecordingFormatException(Math.Max(number, 1), "the recording is empty.");
        }

        if (current is not null)
        {
            connections.Add(current.Build());
        }

        return new StreamRecording(transport, url, connections);
    }

    /// <summary>Finds where a Server-Sent Events client that last saw event <paramref name="lastEventId"/> resumes, as a server that honours <c>Last-Event-ID</c> would.</summary>
    /// <param name="lastEventId">The value of the client's <c>Last-Event-ID</c> header.</param>
    /// <returns>The rest of the connection that carried the event with that ID, from the byte after that event (chunk boundaries and relative timing kept); <see langword="null"/> when no event has that ID.</returns>
    /// <remarks>The first event whose <c>id:</c> field set that ID is the one resumed after. When nothing followed it on its
    /// connection, the next recorded connection (the one the recorded client reconnected to) is returned whole.</remarks>
    public RecordedConnection? ResumeAfter(string lastEventId)
    {
        ArgumentNullException.ThrowIfNull(lastEventId);
        for (var i = 0; i < Connections.Count; i++)
        {
            if (SseEventEnds.After(Connections[i].Body(), lastEventId) is { } position)
            {
                // When that event is the last this connection delivered (it dropped or ended right after), what the
                // recorded server sent next is the next connection: the one the recorded client reconnected to.
                var rest = Slice(Connections[i], position);
                return rest.Chunks.Count == 0 && i + 1 < Connections.Count ? Connections[i + 1] : rest;
            }
        }

        return null;
    }

    private static RecordedConnection Slice(RecordedConnection connection, int position)
    {
        var chunks = new List<RecordedChunk>();
        var start = 0;
        TimeSpan? cutAt = null;
        foreach (var (offset, chunk) in connection.Chunks)
        {
            var end = start + chunk.Length;
            if (end > position || (cutAt is not null && chunk.Length == 0))
            {
                cutAt ??= offset;
                var skip = Math.Max(0, position - start);
                chunks.Add(new RecordedChunk(offset - cutAt.Value, new Chunk(chunk.Data[skip..], chunk.Kind, chunk.IsEndOfMessage)));
            }
            else if (end == position)
            {
                cutAt = offset;
            }

            start = end;
        }

        var shift = cutAt ?? connection.End?.Offset ?? TimeSpan.Zero;
        var last = connection.End is { } ended ? ended with { Offset = ended.Offset - shift } : null;
        return new RecordedConnection(TimeSpan.Zero, connection.Status, connection.Reason, connection.Headers, chunks, last);
    }

    private static JsonDocument Parse(string line, int number)
    {
        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new RecordingFormatException(number, "each line must be a JSON object.");
            }

            return document;
        }
        catch (JsonException error)
        {
            throw new RecordingFormatException(number, "not valid JSON.", error);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static TimeSpan Offset(JsonElement root, int number) =>
        root.TryGetProperty("ms", out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and var ms && double.IsFinite(ms)
            ? RecordingFormat.FromMilliseconds(ms)
            : throw new RecordingFormatException(number, "\"ms\" must be a number of milliseconds, zero or more.");

    private static byte[] Bytes(JsonElement root, int number)
    {
        if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        if (root.TryGetProperty("base64", out var base64) && base64.ValueKind == JsonValueKind.String && base64.TryGetBytesFromBase64(out var bytes))
        {
            return bytes;
        }

        throw new RecordingFormatException(number, "a chunk needs \"text\" or valid \"base64\".");
    }

    private static List<KeyValuePair<string, string>> Headers(JsonElement root, int number)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!root.TryGetProperty("headers", out var array))
        {
            return headers;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new RecordingFormatException(number, "\"headers\" must be an array of [name, value] pairs.");
        }

        foreach (var pair in array.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String)
            {
                throw new RecordingFormatException(number, "\"headers\" must be an array of [name, value] pairs.");
            }

            headers.Add(new(pair[0].GetString()!, pair[1].GetString()!));
        }

        return headers;
    }

    private sealed class Builder(TimeSpan offset, int? status, string? reason, List<KeyValuePair<string, string>> headers)
    {
        public List<RecordedChunk> Chunks { get; } = [];

        public RecordedEnd? End { get; set; }

        public RecordedConnection Build() => new(offset, status, reason, headers, Chunks, End);
    }
}
