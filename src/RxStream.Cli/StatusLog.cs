using System.Diagnostics;
using System.Text;
using RxStream.Http;
using RxStream.Resilience;

namespace RxStream.Cli;

/// <summary>Writes the connection's story to stderr (never stdout, which carries data only), coloured only on a terminal.</summary>
internal sealed class StatusLog(bool quiet) : IObserver<ConnectionStatus>
{
    private readonly bool _colour = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _firstByte;

    public long Items { get; private set; }

    public long Bytes { get; private set; }

    public void Received(int bytes)
    {
        _firstByte ??= _clock.Elapsed;
        Items++;
        Bytes += bytes;
    }

    public void Info(string text) => Write(text, ConsoleColor.DarkGray);

    /// <summary>Reports an error as one line on stderr, even under --quiet: an error is not status.</summary>
    /// <remarks>Whitespace runs (newlines in a server's pretty-printed JSON error, say) become one space, so the line stays one line.</remarks>
    public static void Error(string text)
    {
        var line = $"rxstream: {OneLine(text)}";
        Console.Error.WriteLine(Console.IsErrorRedirected ? line : $"\u001b[31m{line}\u001b[0m");
    }

    /// <summary>Collapses every run of whitespace and control characters into one space.</summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            var blank = char.IsWhiteSpace(c) || char.IsControl(c);
            if (!blank)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }

        return builder.ToString();
    }

    public void Summary(string unit) =>
        Info($"closed: {Items} {unit}, {Bytes} bytes{(_firstByte is { } first ? $", first byte after {first.TotalMilliseconds:0} ms" : string.Empty)}");

    public void OnNext(ConnectionStatus value)
    {
        var text = value switch
        {
            ConnectionStatus.Open { Details: HttpResponseStart start } => $"open: {(int)start.StatusCode} {start.MediaType}",

            // How the stream ended is said once: by the summary, or by the error line.
            ConnectionStatus.Closed => null,
            _ => OneLine(value.ToString()),
        };
        if (text is not null)
        {
            Write(text, value is ConnectionStatus.Reconnecting ? ConsoleColor.Yellow : ConsoleColor.DarkGray);
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private void Write(string text, ConsoleColor colour)
    {
        if (quiet)
        {
            return;
        }

        var code = colour == ConsoleColor.Yellow ? "33" : "90";
        Console.Error.WriteLine(_colour ? $"\u001b[{code}m* {text}\u001b[0m" : $"* {text}");
    }
}
