namespace RxStream.Chat.Web.Tests.Browser;

/// <summary>Finds the system's Chromium: Playwright cannot download its own browsers here, so the tests drive this one.</summary>
public static class Chromium
{
    // Debian's /usr/bin/chromium is a shell wrapper; the binary it starts is driven directly when it is there.
    private static readonly string[] Candidates =
    [
        "/usr/lib/chromium/chromium",
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ];

    /// <summary>Gets the browser's path: CHROMIUM_PATH if set, else the first of the usual places that exists; null when none does.</summary>
    public static string? Path { get; } = Find();

    /// <summary>Gets why the browser tests are skipped, or null when a Chromium was found.</summary>
    public static string? SkipReason => Path is null
        ? "No Chromium found (looked at CHROMIUM_PATH and " + string.Join(", ", Candidates) + "): install it with `apt-get install -y chromium`, as .ci/run does."
        : null;

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return Candidates.FirstOrDefault(File.Exists);
    }
}

/// <summary>Marks a browser test: skipped, with the reason, where no Chromium can be found (never passed without running).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        Skip = Chromium.SkipReason;
    }
}

/// <summary>Marks a browser theory: skipped, with the reason, where no Chromium can be found.</summary>
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        Skip = Chromium.SkipReason;
    }
}
