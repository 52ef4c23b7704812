using RxStream.Internal;

namespace RxStream.IO;

/// <summary>Reads a <see cref="Stream"/> to its end, one <see cref="Chunk"/> per read.</summary>
internal sealed class StreamSource : AsyncLoopSource<Chunk>
{
    // A read shorter than bufferSize / CopyBelowFraction is copied to an exact-size array rather than sliced from the
    // slab, so a small chunk kept by the user pins at most CopyBelowFraction times its own size.
    private const int CopyBelowFraction = 8;

    // A slab with less than bufferSize / RetireBelowFraction free is retired: reads into so short a tail would be cut
    // short, and at most that fraction of each slab goes unused.
    private const int RetireBelowFraction = 4;

    private readonly Func<CancellationToken, ValueTask<Stream>> _open;
    private readonly int _bufferSize;
    private readonly bool _leaveOpen;

    public StreamSource(Func<CancellationToken, ValueTask<Stream>> open, int bufferSize, bool leaveOpen)
    {
        _open = open;
        _bufferSize = bufferSize;
        _leaveOpen = leaveOpen;
    }

    /// <inheritdoc/>
    protected override bool StartsOnThreadPool => true;

    protected override async Task RunAsync(Emitter emitter, CancellationToken cancellationToken)
    {
        var stream = await _open(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The stream factory returned null.");
        try
        {
            await PumpAsync(stream, _bufferSize, emitter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads <paramref name="stream"/> to its end and emits each read as a chunk that owns its bytes.</summary>
    /// <remarks>
    /// <para>Reads land in a "slab": an array of <paramref name="bufferSize"/> bytes that is never pooled and never
    /// written twice. A read of a useful size becomes a chunk over its own region of the slab, with no copy, and the
    /// next read fills the region after it; once too little is left, a fresh slab takes over and the old one lives on
    /// only through its chunks. So a chunk stays valid after <c>OnNext</c>, and no byte is copied on a bulk download.</para>
    /// <code>
    /// slab 1: [read 1 (chunk) | read 2 (chunk)      |tail]   tail &lt; bufferSize / 4: retired
    /// slab 2: [read 3 (chunk) | free ...                 ]
    /// </code>
    /// <para>A short read (under an eighth of the buffer, the usual case on a live stream of tokens) is copied into an
    /// array of its own size instead, so that a few kept bytes never hold a whole slab in memory; its region was
    /// never handed out, so the next read reuses it.</para>
    /// </remarks>
    public static async Task PumpAsync(Stream stream, int bufferSize, Emitter emitter, CancellationToken cancellationToken)
    {
        var copyBelow = bufferSize / CopyBelowFraction;
        var retireBelow = Math.Max(1, bufferSize / RetireBelowFraction);
        byte[] slab = [];
        var used = 0;
        while (true)
        {
            if (slab.Length - used < retireBelow)
            {
                // Uninitialized: only the bytes a read wrote are ever inside a chunk, so zeroing the rest would be waste.
                slab = GC.AllocateUninitializedArray<byte>(bufferSize);
                used = 0;
            }

            var read = await stream.ReadAsync(slab.AsMemory(used), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            // A network source (Fetch) reports its reads; a plain stream has no telemetry.
            emitter.Telemetry?.Received(read);
            emitter.Telemetry?.Item();

            if (read < copyBelow)
            {
                emitter.Next(Chunk.Copy(slab.AsSpan(used, read)));
            }
            else
            {
                var chunk = Chunk.FromArray(slab, used, read);
                used += read;
                emitter.Next(chunk);
            }
        }
    }
}
