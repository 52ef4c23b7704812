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
            Console.Error.WriteLine($"rxstream: {usage.Message}");
            return ExitCodes.Usage;
        }

        return await StreamRunner.RunAsync(settings, interrupt);
    });
}

return await commandLine.Root.Parse(args).InvokeAsync();
