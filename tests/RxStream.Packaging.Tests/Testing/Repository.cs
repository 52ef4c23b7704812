namespace RxStream.Packaging.Tests.Testing;

/// <summary>Finds the clone these tests were built from.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>Gets the clone's root folder, the one holding RxStream.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Gets the path of RxStream.sln.</summary>
    public static string Solution => Path.Combine(Root, "RxStream.sln");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RxStream.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No RxStream.sln above {AppContext.BaseDirectory}.");
    }
}
