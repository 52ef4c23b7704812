using System.Diagnostics;
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

    public void Error(string text)
    {
        // One clear line, even when --quiet: an error is not status.
        Console.Error.WriteLine(_colour ? $"\u001b[31mrxstream: {text}\u001b[0m" : $"rxstream: {text}");
    }

    public void Summary(string unit) =>
        Info($"closed: {Items} {unit}, {Bytes} bytes{(_firstByte is { } first ? $", first byte after {first.TotalMilliseconds:0} ms" : string.Empty)}");

    public void OnNext(ConnectionStatus value)
    {
        var text = value switch
        {
            ConnectionStatus.Open { Details: HttpResponseStart start } => $"open: {(int)start.StatusCode} {start.MediaType}",
            _ => value.ToString(),
        };
        Write(text, value is ConnectionStatus.Reconnecting ? ConsoleColor.Yellow : ConsoleColor.DarkGray);
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
