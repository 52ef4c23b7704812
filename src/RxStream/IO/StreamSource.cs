using System.Buffers;
using RxStream.Internal;

namespace RxStream.IO;

/// <summary>Reads a <see cref="Stream"/> to its end, one <see cref="Chunk"/> per read.</summary>
internal sealed class StreamSource : AsyncLoopSource<Chunk>
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;
    private readonly int _bufferSize;
    private readonly bool _leaveOpen;

    public StreamSource(Func<CancellationToken, ValueTask<Stream>> open, int bufferSize, bool leaveOpen)
    {
        _open = open;
        _bufferSize = bufferSize;
        _leaveOpen = leaveOpen;
    }

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

    /// <summary>Reads <paramref name="stream"/> into one reusable buffer and emits each read as an exact-size copy.</summary>
    /// <remarks>The buffer is pooled and never leaves this method: a chunk owns its bytes, so it stays valid after <c>OnNext</c>.</remarks>
    public static async Task PumpAsync(Stream stream, int bufferSize, Emitter emitter, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, bufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                emitter.Next(Chunk.Copy(buffer.AsSpan(0, read)));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
