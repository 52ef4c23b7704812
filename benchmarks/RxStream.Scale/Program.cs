namespace RxStream.Scale;

/// <summary>Dispatches on the mode: <c>run</c> (the default: the whole measurement), <c>server</c> or <c>client</c> (the children it starts), or <c>report</c> (rewrite the tables and chart from a saved scale.json).</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        var options = ScaleOptions.Parse(mode == "run" && (args.Length == 0 || args[0] != "run") ? args : args[1..]);
        return mode switch
        {
            "run" => await ScaleRun.RunAsync(options),
            "server" => await ScaleServer.RunAsync(options),
            "client" => await ScaleClient.RunAsync(options),
            "report" => await ReportWriter.RewriteAsync(options.Output),
            _ => throw new ArgumentException($"Unknown mode {mode} (run, server, client or report)."),
        };
    }
}
