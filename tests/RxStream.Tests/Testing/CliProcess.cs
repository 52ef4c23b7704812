using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace RxStream.Tests.Testing;

/// <summary>Runs the built <c>rxstream</c> CLI as a child process with the test's own <c>dotnet</c> host, capturing stdout as bytes and stderr as text.</summary>
/// <remarks>Every wait is bounded by <see cref="Limit"/>; disposal kills the process tree if it is still running.</remarks>
public sealed class CliProcess : IAsyncDisposable
{
    /// <summary>The longest any single wait on the child lasts.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private const int SigInt = 2;

    private static readonly Lazy<(string Host, string Cli)> Paths = new(() => (FindDotnetHost(), FindCli()));

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly MemoryStream _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private TaskCompletionSource _stdoutChanged = NewSignal();
    private TaskCompletionSource _stderrChanged = NewSignal();
    private bool _stdoutEnded;

    private CliProcess(Process process)
    {
        _process = process;
        _stdoutPump = PumpStdoutAsync(process.StandardOutput.BaseStream);
        _stderrPump = PumpStderrAsync(process.StandardError);
    }

    /// <summary>Gets the child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Gets what the child wrote to stdout so far, as raw bytes.</summary>
    public byte[] StdoutBytes
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToArray();
            }
        }
    }

    /// <summary>Gets what the child wrote to stdout so far, decoded as UTF-8.</summary>
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Gets what the child wrote to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet RxStream.Cli.dll</c> with <paramref name="args"/>.</summary>
    public static CliProcess Start(params string[] args) => StartAssembly(Paths.Value.Cli, args);

    /// <summary>Starts <c>dotnet</c> on the built program <paramref name="assemblyName"/> of the project in <paramref name="projectDirectory"/> (relative to the repository), with <paramref name="args"/>.</summary>
    public static CliProcess StartProgram(string projectDirectory, string assemblyName, params string[] args) =>
        StartAssembly(FindBuilt(projectDirectory, assemblyName), args);

    private static CliProcess StartAssembly(string cli, string[] args)
    {
        var host = Paths.Value.Host;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The CLI reads no input; an empty, closed stdin keeps it from ever waiting on the test runner's.
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
        process.StandardInput.Close();
        return new CliProcess(process);
    }

    /// <summary>Runs the CLI to its end and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var cli = Start(args);
        var exit = await cli.WaitForExitAsync();
        return (exit, cli.Stdout, cli.Stderr);
    }

    /// <summary>Completes once stdout contains <paramref name="text"/>; fails if the child closes stdout first or <see cref="Limit"/> passes.</summary>
    public async Task WaitForStdoutAsync(string text)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (Encoding.UTF8.GetString(_stdout.GetBuffer(), 0, (int)_stdout.Length).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                if (_stdoutEnded)
                {
                    throw new InvalidOperationException($"stdout ended without '{text}'. stdout: '{Stdout}' stderr: '{Stderr}'");
                }

                changed = _stdoutChanged.Task;
            }

            await changed.WaitAsync(deadline.Token);
        }
    }

    /// <summary>Completes with stderr once it contains <paramref name="text"/>; fails if <see cref="Limit"/> passes or the child exits first.</summary>
    public async Task<string> WaitForStderrAsync(string text)
    {
        using var deadline = new CancellationTokenSource(Limit);
        while (true)
        {
            Task changed;
            lock (_stderr)
            {
                if (_stderr.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return _stderr.ToString();
                }

                changed = _stderrChanged.Task;
            }

            await Task.WhenAny(changed, _stderrPump).WaitAsync(deadline.Token);
            if (_stderrPump.IsCompleted && !Stderr.Contains(text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"stderr ended without '{text}'. stderr: '{Stderr}'");
            }
        }
    }

    /// <summary>Waits (at most <see cref="Limit"/>) for the child to exit and for its output to be read, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(Limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"rxstream did not exit within {Limit.TotalSeconds} s. stdout: '{Stdout}' stderr: '{Stderr}'");
        }

        return _process.ExitCode;
    }

    /// <summary>Closes the reading end of the child's stdout, as <c>| head -1</c> does once it has its line.</summary>
    public void CloseStdout() => _process.StandardOutput.BaseStream.Dispose();

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt()
    {
        if (Kill(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var deadline = new CancellationTokenSource(Limit);
            await _process.WaitForExitAsync(deadline.Token);
        }

        _process.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The host that runs the tests: the dotnet CLI hands its own path down in DOTNET_HOST_PATH; otherwise the muxer
    // sits three levels above the shared runtime (<root>/shared/Microsoft.NETCore.App/<version>/). The test host's
    // Environment.ProcessPath is testhost, not dotnet, so it cannot be used.
    private static string FindDotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : throw new FileNotFoundException("cannot find the dotnet host next to the running runtime", muxer);
    }

    // The test project references the CLI, so the build copies it next to the tests; failing that, take the CLI
    // project's own output for the same configuration and target framework.
    private static string FindCli() => FindBuilt(Path.Combine("src", "RxStream.Cli"), "RxStream.Cli.dll");

    private static string FindBuilt(string projectDirectory, string name)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(beside))
        {
            return beside;
        }

        var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, projectDirectory, "bin", configuration, framework, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"cannot find {name}: build {projectDirectory} -c {configuration} first", beside);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private async Task PumpStdoutAsync(Stream stdout)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stdout.ReadAsync(buffer)) > 0)
            {
                lock (_gate)
                {
                    _stdout.Write(buffer, 0, read);
                    _stdoutChanged.TrySetResult();
                    _stdoutChanged = NewSignal();
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or OperationCanceledException)
        {
            // CloseStdout closed the pipe under the pending read: what was read so far is all there is.
        }
        finally
        {
            lock (_gate)
            {
                _stdoutEnded = true;
                _stdoutChanged.TrySetResult();
            }
        }
    }

    private async Task PumpStderrAsync(StreamReader stderr)
    {
        var buffer = new char[1024];
        int read;
        while ((read = await stderr.ReadAsync(buffer)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
                _stderrChanged.TrySetResult();
                _stderrChanged = NewSignal();
            }
        }
    }
}
