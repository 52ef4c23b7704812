using BenchmarkDotNet.Running;
using RxStream.Benchmarks;

// Runs the benchmarks named on the command line (for example --filter '*Utf8*'); see benchmarks/README.md.
// `--interleaved '<class pattern>' [rounds]` runs them interleaved instead, timed by thread CPU time (see Interleaved).
if (args is ["--interleaved", var filter, ..])
{
    Interleaved.Run(filter, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
