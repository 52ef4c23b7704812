using System.Globalization;

namespace RxStream.Scale;

/// <summary>The settings of a run, parsed from <c>--name value</c> pairs; each mode reads the ones it needs.</summary>
internal sealed record ScaleOptions
{
    /// <summary>The open-file limit each process asks for: 10,000 sockets plus the runtime's own descriptors, with room to spare.</summary>
    public const ulong WantedFileDescriptors = 65_536;

    /// <summary>Gets the stream counts to measure, in order.</summary>
    public IReadOnlyList<int> Levels { get; init; } = [1_000, 5_000, 10_000];

    /// <summary>Gets the client kinds to measure at each level.</summary>
    public IReadOnlyList<StreamKind> Kinds { get; init; } = [StreamKind.RxStream, StreamKind.Raw];

    /// <summary>Gets the client kind (client mode).</summary>
    public StreamKind Kind { get; init; }

    /// <summary>Gets the number of streams (client mode).</summary>
    public int Streams { get; init; }

    /// <summary>Gets the server's port (client mode).</summary>
    public int Port { get; init; }

    /// <summary>Gets how long all streams run before the window opens.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets the measurement window.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how many times each (level, kind) is measured; the tables and the chart show the median of the runs.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Gets how many streams are opened at a time; the next batch waits until all of these have their first event.</summary>
    public int Batch { get; init; } = 250;

    /// <summary>Gets the longest one batch may take to open.</summary>
    public TimeSpan BatchLimit { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets the hard limit of one (kind, level) measurement; its client process is killed past it.</summary>
    public TimeSpan LevelLimit { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets the hard limit of the whole run.</summary>
    public TimeSpan RunLimit { get; init; } = TimeSpan.FromMinutes(9);

    /// <summary>Gets how long the server child lives at most, whatever its parent does.</summary>
    public TimeSpan ServerLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the directory where the chart and the tables are written.</summary>
    public string Output { get; init; } = ".";

    /// <summary>Gets the RxStream read buffer size, or 0 for <see cref="Http.EventSourceOptions"/>' default (experiments only).</summary>
    public int RxBufferSize { get; init; }

    /// <summary>Gets a value indicating whether RxStream streams keep the default reconnect policy (experiments may turn it off).</summary>
    public bool RxReconnect { get; init; } = true;

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--levels" => options with { Levels = [.. value.Split(',').Select(ParseInt)] },
                "--kinds" => options with { Kinds = [.. value.Split(',').Select(ParseKind)] },
                "--kind" => options with { Kind = ParseKind(value) },
                "--streams" => options with { Streams = ParseInt(value) },
                "--port" => options with { Port = ParseInt(value) },
                "--warmup" => options with { Warmup = Seconds(value) },
                "--window" => options with { Window = Seconds(value) },
                "--batch" => options with { Batch = ParseInt(value) },
                "--repeat" => options with { Repeat = ParseInt(value) },
                "--batch-limit" => options with { BatchLimit = Seconds(value) },
                "--level-limit" => options with { LevelLimit = Seconds(value) },
                "--run-limit" => options with { RunLimit = Seconds(value) },
                "--server-lifetime" => options with { ServerLifetime = Seconds(value) },
                "--out" => options with { Output = value },
                "--rx-buffer" => options with { RxBufferSize = ParseInt(value) },
                "--rx-reconnect" => options with { RxReconnect = bool.Parse(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return args.Count % 2 == 0 ? options : throw new ArgumentException($"Option {args[^1]} has no value.");
    }

    /// <summary>Builds the arguments of a client child that measures <paramref name="kind"/> at <paramref name="streams"/> streams.</summary>
    public IEnumerable<string> ClientArguments(StreamKind kind, int streams, int port) =>
    [
        "client", "--kind", KindName(kind), "--streams", Text(streams), "--port", Text(port),
        "--warmup", Text(Warmup.TotalSeconds), "--window", Text(Window.TotalSeconds), "--batch", Text(Batch),
        "--batch-limit", Text(BatchLimit.TotalSeconds), "--rx-buffer", Text(RxBufferSize), "--rx-reconnect", RxReconnect ? "true" : "false",
    ];

    public IEnumerable<string> ServerArguments() => ["server", "--server-lifetime", Text(ServerLifetime.TotalSeconds)];

    public static string KindName(StreamKind kind) => kind == StreamKind.RxStream ? "rxstream" : "raw";

    private static StreamKind ParseKind(string value) => value switch
    {
        "rxstream" => StreamKind.RxStream,
        "raw" => StreamKind.Raw,
        _ => throw new ArgumentException($"Unknown kind {value} (rxstream or raw)."),
    };

    private static int ParseInt(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static TimeSpan Seconds(string value) => TimeSpan.FromSeconds(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
