using System.Globalization;
using System.Net;
using System.Text;
using RxStream.Testing.Recording;

namespace RxStream.Testing;

/// <summary>Scripts one HTTP response in virtual time: its status and headers, each part of its body at a time after the request arrived, and how it ends.</summary>
/// <remarks>
/// <para>Every time is counted from the moment the request reaches the <see cref="ScriptedHttpHandler"/>. By default the
/// headers come at once, the body ends right after its last part, and nothing drops. Each <see cref="Send(TimeSpan, string)"/>
/// is one read for the client, so the script's parts are the chunks the client sees.</para>
/// <para>The methods change this script and return it, so that a script reads as one expression.</para>
/// </remarks>
public sealed class HttpResponseScript
{
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly List<(TimeSpan At, ReadOnlyMemory<byte> Bytes)> _parts = [];
    private TimeSpan _headersAt;
    private TimeSpan? _endAt;
    private bool _drop;
    private bool _holdOpen;
    private long? _dropAfterBytes;

    /// <summary>Initializes a script that answers with <paramref name="status"/>.</summary>
    /// <param name="status">The status code.</param>
    public HttpResponseScript(HttpStatusCode status) => StatusCode = status;

    /// <summary>Gets the status code the response carries.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Creates a 200 response with a <c>Content-Type</c>.</summary>
    /// <param name="contentType">The media type; <c>text/event-stream</c> for Server-Sent Events.</param>
    /// <returns>The script.</returns>
    public static HttpResponseScript Ok(string contentType = "text/event-stream") => new HttpResponseScript(HttpStatusCode.OK).WithHeader("Content-Type", contentType);

    /// <summary>Creates a response with a status and no body, such as 204 (a Server-Sent Events server's way to say "stop reconnecting") or 503.</summary>
    /// <param name="status">The status code.</param>
    /// <returns>The script.</returns>
    public static HttpResponseScript Status(HttpStatusCode status) => new(status);

    /// <summary>Creates a script that plays one connection of a recording: its status, headers, chunks at their times, and its end.</summary>
    /// <param name="connection">The recorded connection.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    public static HttpResponseScript FromRecording(RecordedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var script = new HttpResponseScript((HttpStatusCode)(connection.Status ?? 200));
        foreach (var (name, value) in connection.Headers)
        {
            script.WithHeader(name, value);
        }

        foreach (var (offset, chunk) in connection.Chunks)
        {
            script.Send(offset, chunk.Data);
        }

        switch (connection.End)
        {
            case null:
                script.HoldOpen();
                break;
            case { Kind: RecordedEndKind.Failed } failed:
                script.Drop(failed.Offset);
                break;
            case { Kind: RecordedEndKind.Disposed }:
                // The client let go; the server would have gone on: keep it open.
                script.HoldOpen();
                break;
            case var completed:
                script.End(completed.Offset);
                break;
        }

        return script;
    }

    /// <summary>Adds a response (or content) header.</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _headers.Add(new(name, value));
        return this;
    }

    /// <summary>Adds <c>Retry-After</c> in whole seconds, as a 503 or 429 carries it.</summary>
    /// <param name="delay">The delay; rounded up to whole seconds.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript WithRetryAfter(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return WithHeader("Retry-After", ((long)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Holds the headers back until <paramref name="at"/> (a server slow to answer, to test a connect timeout).</summary>
    /// <param name="at">When the headers come.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript HeadersAt(TimeSpan at)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _headersAt = at;
        return this;
    }

    /// <summary>Sends a part of the body, UTF-8 encoded, at <paramref name="at"/>.</summary>
    /// <param name="at">When the part arrives.</param>
    /// <param name="text">The text.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript Send(TimeSpan at, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Send(at, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Sends a part of the body at <paramref name="at"/>.</summary>
    /// <param name="at">When the part arrives.</param>
    /// <param name="bytes">The bytes; the script keeps them, so do not change them afterwards.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript Send(TimeSpan at, ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _parts.Add((at, bytes));
        return this;
    }

    /// <summary>Ends the body cleanly at <paramref name="at"/> instead of right after the last part.</summary>
    /// <param name="at">When the body ends.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript End(TimeSpan at)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _endAt = at;
        _drop = false;
        _holdOpen = false;
        return this;
    }

    /// <summary>Drops the connection at <paramref name="at"/>: the client's pending read fails as a network failure does.</summary>
    /// <param name="at">When the connection drops.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript Drop(TimeSpan at)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        _endAt = at;
        _drop = true;
        _holdOpen = false;
        return this;
    }

    /// <summary>Drops the connection mid-body once <paramref name="byteOffset"/> bytes of it have arrived: the part that holds that byte is cut there, and the drop comes with it.</summary>
    /// <param name="byteOffset">How many body bytes the client receives before the drop.</param>
    /// <returns>This script.</returns>
    public HttpResponseScript DropAfterBytes(long byteOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteOffset);
        _dropAfterBytes = byteOffset;
        _holdOpen = false;
        return this;
    }

    /// <summary>Keeps the body open after its last part: the stream neither ends nor drops until the client lets go.</summary>
    /// <returns>This script.</returns>
    public HttpResponseScript HoldOpen()
    {
        _holdOpen = true;
        _endAt = null;
        _drop = false;
        _dropAfterBytes = null;
        return this;
    }

    internal IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    internal TimeSpan HeadersTime => _headersAt;

    /// <summary>Works out what happens when: the parts (cut at the drop offset) and the end.</summary>
    internal (List<(TimeSpan At, ReadOnlyMemory<byte> Bytes)> Parts, TimeSpan? EndAt, bool Drop) Plan()
    {
        var parts = _parts.OrderBy(p => p.At).ToList();
        if (_dropAfterBytes is { } limit)
        {
            var kept = new List<(TimeSpan, ReadOnlyMemory<byte>)>();
            long sent = 0;
            var dropAt = _headersAt;
            foreach (var (at, bytes) in parts)
            {
                if (sent + bytes.Length >= limit)
                {
                    kept.Add((at, bytes[..(int)(limit - sent)]));
                    dropAt = at;
                    sent = limit;
                    break;
                }

                kept.Add((at, bytes));
                sent += bytes.Length;
                dropAt = at;
            }

            return (kept, Max(dropAt, _headersAt), true);
        }

        if (_holdOpen)
        {
            return (parts, null, false);
        }

        var last = parts.Count == 0 ? _headersAt : Max(parts[^1].At, _headersAt);
        return (parts, _endAt ?? last, _drop);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
