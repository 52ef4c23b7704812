using BenchmarkDotNet.Running;

// Runs the benchmarks named on the command line (for example --filter '*Utf8*'); see benchmarks/README.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
