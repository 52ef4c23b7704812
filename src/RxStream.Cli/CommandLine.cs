using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RxStream.Http;

namespace RxStream.Cli;

/// <summary>Defines rxstream's command line (a contract: names, flags and meanings are kept stable) and turns it into settings.</summary>
internal sealed class CommandLine
{
    private readonly Option<string> _method = new("--method", "-X") { Description = "The request method (default GET, or POST with --data).", HelpName = "METHOD" };
    private readonly Option<string[]> _header = new("--header", "-H") { Description = "A request header 'Name: value'; repeatable.", HelpName = "HEADER", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _data = new("--data", "-d") { Description = "The request body; @path reads a file. Sets POST unless -X says otherwise.", HelpName = "BODY" };
    private readonly Option<string> _until = new("--until") { Description = "Stop at this sentinel, print what came before it, close, exit 0; a stream that ends without it exits 1 (truncated).", HelpName = "TEXT" };
    private readonly Option<string> _output = new("--output") { Description = "text (default) or jsonl.", HelpName = "FORMAT", DefaultValueFactory = _ => "text" };
    private readonly Option<bool> _reconnect = new("--reconnect") { Description = "Reconnect after a drop: needed for fetch, ws and any POST." };
    private readonly Option<bool> _noReconnect = new("--no-reconnect") { Description = "One connection only; the end of the stream ends the program." };
    private readonly Option<int?> _maxRetries = new("--max-retries") { Description = "Give up after N failed attempts in a row.", HelpName = "N" };
    private readonly Option<int?> _maxRedirects = new("--max-redirs") { Description = "Follow at most N redirects (default 20, as curl -L; credentials never cross to another origin); 0 refuses them.", HelpName = "N" };
    private readonly Option<double?> _idleTimeout = new("--idle-timeout") { Description = "Treat this much silence (heartbeats count) as a dropped connection.", HelpName = "SECONDS" };
    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "No status on stderr." };
    private readonly Option<bool> _stats = new("--stats") { Description = "At the end, print one line on stderr: time to the first byte and item, items, items/s, bytes, reconnects." };
    private readonly Option<string[]> _send = new("--send") { Description = "A message to send once the socket is open; repeatable.", HelpName = "TEXT" };
    private readonly Option<string> _transport = new("--transport") { Description = "sse, fetch, ws or all (default).", HelpName = "TRANSPORT", DefaultValueFactory = _ => "all" };
    private readonly Argument<string> _url = new("URL") { Description = "The endpoint." };
    private readonly Option<string> _record = new("--record") { Description = "Also write what the connection receives (status, headers, every chunk with its time, the end) to FILE, for 'rxstream replay' and RxStream.Testing.", HelpName = "FILE" };
    private readonly Option<string[]> _redact = new("--redact") { Description = "A response header whose value --record must not write (Authorization, Cookie and Set-Cookie never are); repeatable.", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
    private readonly Argument<string> _recording = new("FILE") { Description = "A recording written by --record." };
    private readonly Option<int> _port = new("--port") { Description = "The port on 127.0.0.1 (default: a free one).", HelpName = "N", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _speed = new("--speed") { Description = "Play the original timing this many times faster (default 1).", HelpName = "X", DefaultValueFactory = _ => 1 };

    public CommandLine()
    {
        _output.AcceptOnlyFromAmong("text", "jsonl");
        _transport.AcceptOnlyFromAmong("sse", "fetch", "ws", "all");

        Demo = new Command("demo", "Stream a chat answer from an embedded local server over SSE, fetch and WebSocket.") { _transport };
        Sse = StreamCommand("sse", "Read a Server-Sent Events stream (reconnects like EventSource).");
        Fetch = StreamCommand("fetch", "Read a streaming response body as UTF-8 text.");
        // A WebSocket has no request method and no request body, and its handshake follows no redirect: -X, -d and
        // --max-redirs are not its options, so using them is a usage error rather than silently ignored.
        WebSocket = StreamCommand("ws", "Read a WebSocket's messages.");
        WebSocket.Options.Remove(_method);
        WebSocket.Options.Remove(_data);
        WebSocket.Options.Remove(_maxRedirects);
        WebSocket.Options.Add(_send);
        Replay = new Command("replay", "Serve a recording on 127.0.0.1 with its original timing, until Ctrl+C.") { _recording, _port, _speed };
        Root = new RootCommand("rxstream: curl -N for streams, with Server-Sent Events, sentinels, reconnects and WebSockets.")
        {
            Demo, Sse, Fetch, WebSocket, Replay,
        };
    }

    public RootCommand Root { get; }

    public Command Demo { get; }

    public Command Sse { get; }

    public Command Fetch { get; }

    public Command WebSocket { get; }

    public Command Replay { get; }

    /// <summary>Reads a parsed <c>replay</c> command: the file, the port and the speed.</summary>
    /// <exception cref="UsageException">The port or the speed is out of range.</exception>
    public (string Path, int Port, double Speed) ReadReplay(ParseResult result)
    {
        var port = result.GetValue(_port);
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--port must be a number from 0 to 65535, not {port}.");
        }

        var speed = result.GetValue(_speed);
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new UsageException("--speed must be a number above 0.");
        }

        return (result.GetValue(_recording)!, port, speed);
    }

    /// <summary>Reads the demo's transports from a parsed <c>demo</c> command.</summary>
    public IReadOnlyList<Transport> DemoTransports(ParseResult result) => result.GetValue(_transport) switch
    {
        "sse" => [Transport.Sse],
        "fetch" => [Transport.Fetch],
        "ws" => [Transport.WebSocket],
        _ => [Transport.Sse, Transport.Fetch, Transport.WebSocket],
    };

    /// <summary>Turns a parsed stream command into settings, or says what is wrong with it.</summary>
    /// <exception cref="UsageException">The arguments parse but do not make sense together.</exception>
    public StreamSettings ReadStream(ParseResult result, Transport transport)
    {
        var url = ReadUrl(result.GetValue(_url)!, transport);
        var headers = (result.GetValue(_header) ?? []).Select(ReadHeader).ToList();
        var hasRequest = transport != Transport.WebSocket;
        var body = hasRequest ? ReadBody(result.GetValue(_data)) : null;
        var method = hasRequest && result.GetValue(_method) is { } named
            ? new HttpMethod(named.ToUpperInvariant())
            : body is null ? HttpMethod.Get : HttpMethod.Post;

        if (result.GetValue(_reconnect) && result.GetValue(_noReconnect))
        {
            throw new UsageException("--reconnect and --no-reconnect contradict each other.");
        }

        bool? reconnect = result.GetValue(_reconnect) ? true : result.GetValue(_noReconnect) ? false : null;

        if (result.GetValue(_maxRetries) is < 0)
        {
            throw new UsageException("--max-retries must be zero or more.");
        }

        if (result.GetValue(_maxRedirects) is < 0)
        {
            throw new UsageException("--max-redirs must be zero or more.");
        }

        var idle = result.GetValue(_idleTimeout) switch
        {
            null => (TimeSpan?)null,
            > 0 and <= 86_400 and var seconds => TimeSpan.FromSeconds(seconds),
            _ => throw new UsageException("--idle-timeout must be a number of seconds above 0 and at most 86400."),
        };

        if (result.GetValue(_until) is "")
        {
            throw new UsageException("--until needs a non-empty sentinel.");
        }

        return new StreamSettings(
            transport,
            url,
            method,
            headers,
            body,
            result.GetValue(_until),
            result.GetValue(_output) == "jsonl" ? OutputFormat.Jsonl : OutputFormat.Text,
            reconnect,
            result.GetValue(_maxRetries),
            idle,
            result.GetValue(_quiet),
            transport == Transport.WebSocket ? result.GetValue(_send) ?? [] : [],
            result.GetValue(_stats))
        {
            RecordPath = result.GetValue(_record) is { Length: > 0 } record ? record : null,
            Redact = result.GetValue(_redact) ?? [],
            MaxRedirects = hasRequest ? result.GetValue(_maxRedirects) ?? FetchOptions.DefaultMaxRedirects : FetchOptions.DefaultMaxRedirects,
        };
    }

    private static Uri ReadUrl(string text, Transport transport)
    {
        var schemes = transport == Transport.WebSocket ? new[] { "ws", "wss" } : ["http", "https"];
        var parsed = Uri.TryCreate(text, UriKind.Absolute, out var url);
        if (ReadPort(text) is { } port && (!parsed || url!.Port == 0))
        {
            // Uri rejects a port above 65535 as a malformed URL; say what is actually wrong with it.
            throw new UsageException($"'{text}' has a bad port '{port}': a port is a number from 1 to 65535.");
        }

        if (!parsed || !schemes.Contains(url!.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            throw new UsageException($"'{text}' is not an absolute {string.Join(" or ", schemes)} URL.");
        }

        return url;
    }

    // The port written in a URL's authority when it is not one from 1 to 65535 (out of range, or not a number), or
    // null when there is none or it is valid.
    private static string? ReadPort(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var authority = text[(start + 3)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        authority = end < 0 ? authority : authority[..end];
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        var hostEnd = authority.StartsWith('[') ? authority.IndexOf(']', StringComparison.Ordinal) : 0;
        var colon = authority.IndexOf(':', Math.Max(hostEnd, 0));
        if (hostEnd < 0 || colon < 0 || colon == authority.Length - 1)
        {
            return null;
        }

        var port = authority[(colon + 1)..];
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535 ? null : port;
    }

    private static KeyValuePair<string, string> ReadHeader(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || text.AsSpan(0, colon).ContainsAny(" \t"))
        {
            // The value may be a secret: the message names the header's shape, never echoes the value.
            throw new UsageException("a header must look like 'Name: value'.");
        }

        return new(text[..colon], text[(colon + 1)..].Trim());
    }

    private static byte[]? ReadBody(string? data)
    {
        if (data is null)
        {
            return null;
        }

        if (!data.StartsWith('@'))
        {
            return System.Text.Encoding.UTF8.GetBytes(data);
        }

        try
        {
            return File.ReadAllBytes(data[1..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"cannot read the body from '{data[1..]}': {e.Message}"));
        }
    }

    private Command StreamCommand(string name, string description) => new(name, description)
    {
        _url, _method, _header, _data, _until, _output, _reconnect, _noReconnect, _maxRetries, _maxRedirects, _idleTimeout, _quiet, _stats, _record, _redact,
    };
}

/// <summary>Reports a command line that parses but does not make sense; rxstream exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
