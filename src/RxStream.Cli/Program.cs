using RxStream.Cli;

return await new CommandLine().Root.Parse(args).InvokeAsync();
