using System.Diagnostics;

namespace RxStream.Scale;

/// <summary>The client's memory after a full, compacting, blocking collection: what the live streams hold, not garbage.</summary>
/// <param name="ManagedHeap">Bytes of live objects on the managed heap.</param>
/// <param name="WorkingSet">Resident bytes of the whole process (managed heap, native allocations, stacks, code).</param>
/// <param name="GcCommitted">Bytes the GC has committed from the OS: the live heap plus free space it keeps for the next allocations.</param>
/// <param name="Threads">Threads in the process.</param>
internal sealed record MemorySnapshot(long ManagedHeap, long WorkingSet, long GcCommitted, int Threads)
{
    public static MemorySnapshot Take()
    {
        for (var pass = 0; pass < 2; pass++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return new MemorySnapshot(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, GC.GetGCMemoryInfo().TotalCommittedBytes, process.Threads.Count);
    }
}
