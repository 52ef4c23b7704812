using System.Runtime.InteropServices;

namespace RxStream.Scale;

/// <summary>Raises this process's open-file limit (RLIMIT_NOFILE): every socket is a descriptor, and 10,000 streams need 10,000 on each side.</summary>
internal static partial class FileDescriptorLimit
{
    // From <sys/resource.h> on Linux (x64 and arm64 alike).
    private const int ResourceNoFile = 7;

    /// <summary>Lifts the soft limit towards <paramref name="wanted"/>, as far as the hard limit allows (an unprivileged process cannot raise the hard one).</summary>
    /// <returns>The soft limit now in force, or <see langword="null"/> when it cannot be read (not Linux).</returns>
    public static ulong? Raise(ulong wanted)
    {
        if (!OperatingSystem.IsLinux() || GetLimit(ResourceNoFile, out var limit) != 0)
        {
            return null;
        }

        var target = Math.Min(wanted, limit.Maximum);
        if (limit.Current < target)
        {
            var raised = limit with { Current = target };
            if (SetLimit(ResourceNoFile, raised) == 0)
            {
                return target;
            }
        }

        return limit.Current;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit: two rlim_t (unsigned 64-bit on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
