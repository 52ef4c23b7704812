using System.CommandLine;
using System.CommandLine.Invocation;
using RxStream.Cli;

var commandLine = new CommandLine();
commandLine.Demo.SetAction((result, interrupt) => Demo.RunAsync(commandLine.DemoTransports(result), interrupt));
foreach (var (command, transport) in new[] { (commandLine.Sse, Transport.Sse), (commandLine.Fetch, Transport.Fetch), (commandLine.WebSocket, Transport.WebSocket) })
{
    command.SetAction(async (result, interrupt) =>
    {
        StreamSettings settings;
        try
        {
            settings = commandLine.ReadStream(result, transport);
        }
        catch (UsageException usage)
        {
            StatusLog.Error(usage.Message);
            return ExitCodes.Usage;
        }

        return await StreamRunner.RunAsync(settings, interrupt);
    });
}

commandLine.Replay.SetAction(async (result, interrupt) =>
{
    try
    {
        var (path, port, speed) = commandLine.ReadReplay(result);
        return await Replay.RunAsync(path, port, speed, interrupt);
    }
    catch (UsageException usage)
    {
        StatusLog.Error(usage.Message);
        return ExitCodes.Usage;
    }
});

// "-d @path" is rxstream's own syntax for a body read from a file, so System.CommandLine must not expand @path as a
// response file first.
var parsed = commandLine.Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Action is ParseErrorAction)
{
    // The default action would exit 1 and print help on stdout, which carries data only: a usage error exits 2 and
    // says what is wrong on stderr.
    foreach (var error in parsed.Errors)
    {
        StatusLog.Error(error.Message);
    }

    StatusLog.Error(parsed.CommandResult.Command is RootCommand ? "see 'rxstream --help'." : $"see 'rxstream {parsed.CommandResult.Command.Name} --help'.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync();
