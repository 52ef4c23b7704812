using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RxStream.Packaging.Tests.Testing;

namespace RxStream.Packaging.Tests;

/// <summary>Checks what a package page and a debugger show for each package that the README's pack command makes.</summary>
[Collection(PackedReleaseCollection.Name)]
public sealed partial class PackageContentsTests(PackedRelease release, ITestOutputHelper output)
{
    // Specification: https://github.com/dotnet/runtime/blob/main/docs/design/specs/PortablePdb-Metadata.md#embedded-source-c-and-vb-compilers
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    public static TheoryData<string> Packages => [.. PackedRelease.PackageIds];

    [Fact]
    public void Pack_ReadmeCommand_MakesTheShippedPackagesAndNoOthers()
    {
        output.WriteLine($"pack took {release.Pack.Elapsed.TotalSeconds:F0} s");
        var made = Directory.GetFiles(release.Packages).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(PackedRelease.PackageIds.Select(id => $"{id}.{release.Version}.nupkg").Order(StringComparer.Ordinal), made);
    }

    [Fact]
    public void Pack_Version_IsTheVersionPrefixOfDirectoryBuildProps()
    {
        var props = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props"));
        var prefix = props.Descendants("VersionPrefix").Single().Value;

        Assert.Equal(prefix, release.Version);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_Nuspec_HasLicenseReadmeDescriptionTagsAndCommit(string id)
    {
        using var package = ZipFile.OpenRead(release.PackagePath(id));
        var nuspec = ReadNuspec(package, id);
        string? Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = nuspec.Descendants().Single(e => e.Name.LocalName == "license");
        var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");

        Assert.Equal(release.Version, Field("version"));
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.Contains("streaming", Field("tags")!.Split(' '));
        Assert.Equal("PACKAGE.md", Field("readme"));
        Assert.Matches(CommitPattern(), (string?)repository.Attribute("commit"));
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "LICENSE")), ReadText(package, "LICENSE"));
        Assert.StartsWith($"# ", ReadText(package, "PACKAGE.md"));
        Assert.Contains("## [Unreleased]", ReadText(package, "CHANGELOG.md"));
    }

    [Fact]
    public void RxStreamPackage_Library_HasXmlDocsForItsAssembly()
    {
        using var package = ZipFile.OpenRead(release.PackagePath("RxStream"));

        var docs = XDocument.Parse(ReadText(package, "lib/net10.0/RxStream.xml"));

        Assert.Equal("RxStream", docs.Descendants("assembly").Single().Element("name")!.Value);
        Assert.Contains(docs.Descendants("member"), m => (string?)m.Attribute("name") == "T:RxStream.StreamObservable");
    }

    [Theory]
    [InlineData("RxStream", "lib/net10.0/RxStream.dll")]
    [InlineData("RxStream.Cli", "tools/net10.0/any/RxStream.Cli.dll")]
    [InlineData("RxStream.Testing", "lib/net10.0/RxStream.Testing.dll")]
    public void Package_Assembly_IsDeterministicWithAnEmbeddedPdbThatEmbedsEverySource(string id, string assembly)
    {
        using var package = ZipFile.OpenRead(release.PackagePath(id));
        using var image = new MemoryStream();
        using (var entry = package.GetEntry(assembly)!.Open())
        {
            entry.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        var debug = pe.ReadDebugDirectory();
        Assert.Contains(debug, d => d.Type == DebugDirectoryEntryType.Reproducible);
        var embedded = Assert.Single(debug, d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using var pdbProvider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        var pdb = pdbProvider.GetMetadataReader();

        var documents = pdb.Documents.Select(handle => (Handle: handle, Name: pdb.GetString(pdb.GetDocument(handle).Name)))
            .Where(d => d.Name.EndsWith(".cs", StringComparison.Ordinal) && !d.Name.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(documents);
        foreach (var (handle, name) in documents)
        {
            // ContinuousIntegrationBuild maps the clone's folder to /_/, so no build machine's path is in the package.
            Assert.StartsWith("/_/src/", name);
            var sources = pdb.GetCustomDebugInformation(handle).Select(pdb.GetCustomDebugInformation);
            Assert.True(sources.Any(info => pdb.GetGuid(info.Kind) == EmbeddedSource), $"{name} is not embedded in the PDB of {assembly}.");
        }

        output.WriteLine($"{assembly}: {documents.Count} source files embedded");
    }

    private static XDocument ReadNuspec(ZipArchive package, string id) => XDocument.Parse(ReadText(package, $"{id}.nuspec"));

    private static string ReadText(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"The package has no {path}.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
