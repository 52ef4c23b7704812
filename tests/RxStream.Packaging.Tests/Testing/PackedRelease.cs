using System.Security;

namespace RxStream.Packaging.Tests.Testing;

/// <summary>The packages that the README's pack command makes from this clone, packed once for every test of the
/// <c>packed release</c> collection into a temporary folder, with what a user needs to consume them.</summary>
/// <remarks>
/// <para>The pack builds into its own artifacts folder (<c>--artifacts-path</c>), never into the repository's
/// <c>obj/</c> or <c>bin/</c>, which the test run that hosts this fixture is using.</para>
/// <para>Everything restored from the packages goes into a private global packages folder, with the user's folder as a
/// fallback for everything else: a package of the same version packed from older sources, left in the user's cache by
/// an earlier run, can never be the one that is tested.</para>
/// </remarks>
public sealed class PackedRelease : IAsyncLifetime
{
    /// <summary>The packages the README's command must make, and no others.</summary>
    public static readonly IReadOnlyList<string> PackageIds = ["RxStream", "RxStream.Cli", "RxStream.Testing"];

    /// <summary>The longest a restore, pack, install or publish may take on a two-core machine that other builds load (a pack took 5 min under a load average of 70).</summary>
    public static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(10);

    /// <summary>Gets the temporary folder holding everything this fixture and its tests make.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("rxstream-packaging-").FullName;

    /// <summary>Gets the folder the packages were packed into: the package source of every test.</summary>
    public string Packages => Path.Combine(Root, "packages");

    /// <summary>Gets the version every package was packed with.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>Gets the pack command's run, for its time and output.</summary>
    public ChildResult Pack { get; private set; } = null!;

    /// <summary>Gets the variables every child process that restores runs with.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-packages"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        // Build nodes and compiler servers would outlive the test and hold files in the temporary folder.
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["UseSharedCompilation"] = "false",
    };

    /// <summary>Gets the folder for apps that consume the packages: its NuGet.config takes RxStream* from
    /// <see cref="Packages"/> only, and everything else from nuget.org.</summary>
    /// <remarks>The config is not in <see cref="Root"/>, where <c>dotnet tool install --add-source</c> runs: that option
    /// refuses to work beside package source mapping.</remarks>
    public string Apps => Path.Combine(Root, "apps");

    /// <summary>Returns the path of package <paramref name="id"/> in <see cref="Packages"/>.</summary>
    public string PackagePath(string id) => Path.Combine(Packages, $"{id}.{Version}.nupkg");

    public async Task InitializeAsync()
    {
        Pack = await ChildProcess.RunAsync(
            "dotnet",
            ["pack", Repository.Solution, "-c", "Release", "-o", Packages, "--artifacts-path", Path.Combine(Root, "artifacts"), "--disable-build-servers"],
            Repository.Root,
            BuildLimit,
            new Dictionary<string, string?>(Environment) { ["NUGET_PACKAGES"] = null },
            yieldCpu: true);
        if (Pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"The README's pack command failed.\n{Pack.Output}");
        }

        const string cli = "RxStream.Cli.";
        var tool = Directory.GetFiles(Packages, cli + "*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(tool)[cli.Length..];

        var userPackages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(Apps);
        await File.WriteAllTextAsync(Path.Combine(Apps, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{SecurityElement.Escape(Packages)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="packed">
                  <package pattern="RxStream" />
                  <package pattern="RxStream.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
              <fallbackPackageFolders>
                <add key="user" value="{SecurityElement.Escape(userPackages)}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Puts every test that consumes <see cref="PackedRelease"/> in one collection, so the pack runs once and the
/// heavy builds run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PackedReleaseCollection : ICollectionFixture<PackedRelease>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "packed release";
}
