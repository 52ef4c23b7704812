using System.Text.RegularExpressions;
using RxStream.Packaging.Tests.Testing;

namespace RxStream.Packaging.Tests;

/// <summary>Installs the <c>rxstream</c> tool from the packed packages as a user would, and runs it.</summary>
[Collection(PackedReleaseCollection.Name)]
public sealed class ToolInstallTests(PackedRelease release, ITestOutputHelper output)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);

    // The first sentence of the demo's answer, which each of its three transports streams.
    private const string AnswerStart = "RxStream turns every streaming endpoint into an IObservable of chunks.";

    [Fact]
    public async Task Tool_InstalledFromThePackages_PrintsItsVersionAndRunsTheDemo()
    {
        var tools = Path.Combine(release.Root, "tools");

        var install = await ChildProcess.RunAsync(
            "dotnet",
            ["tool", "install", "--tool-path", tools, "--add-source", release.Packages, "RxStream.Cli", "--version", release.Version],
            release.Root,
            PackedRelease.BuildLimit,
            release.Environment,
            yieldCpu: true);
        Assert.True(install.ExitCode == 0, install.Output);
        output.WriteLine($"tool install took {install.Elapsed.TotalSeconds:F1} s");
        var rxstream = Path.Combine(tools, "rxstream");

        var version = await ChildProcess.RunAsync(rxstream, ["--version"], release.Root, RunLimit);
        Assert.True(version.ExitCode == 0, version.Output);
        // The informational version: the package version, then Source Link's "+commit".
        Assert.Matches($"^{Regex.Escape(release.Version)}\\+[0-9a-f]{{40}}$", version.Stdout.Trim());

        var demo = await ChildProcess.RunAsync(rxstream, ["demo"], release.Root, RunLimit);
        Assert.True(demo.ExitCode == 0, demo.Output);
        Assert.Equal(3, demo.Stdout.Split(AnswerStart).Length - 1);
        output.WriteLine($"rxstream demo took {demo.Elapsed.TotalSeconds:F1} s");
    }
}
