using RxStream.IO;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>The read size a source uses when none is given: 16 KiB, the size of a TLS record.</summary>
    public const int DefaultBufferSize = Internal.StreamDefaults.BufferSize;

    /// <summary>Creates a cold source that opens a stream per subscription and emits each read as one <see cref="Chunk"/>.</summary>
    /// <param name="openStream">Opens the stream; called once per subscription with a token that disposal cancels.</param>
    /// <param name="bufferSize">The most bytes one read asks for.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave the stream open at the end; by default it is disposed.</param>
    /// <returns>The chunks read, completing at the end of the stream.</returns>
    /// <remarks>
    /// Each chunk owns its bytes, so it stays valid after <c>OnNext</c> returns: large reads are slices of arrays
    /// that are written once and never reused (no copy), reads under an eighth of <paramref name="bufferSize"/> are
    /// copied to arrays of their own size. Disposing the subscription cancels the pending read and disposes the
    /// stream. Items are delivered on a thread-pool thread. An exception thrown by the observer stops the reads and is
    /// rethrown unhandled, never sent back to <c>OnError</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="openStream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is not positive.</exception>
    public static IObservable<Chunk> FromStream(Func<CancellationToken, ValueTask<Stream>> openStream, int bufferSize = DefaultBufferSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(openStream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        return new StreamSource(openStream, bufferSize, leaveOpen);
    }

    /// <summary>Creates a source that reads an already open stream, emitting each read as one <see cref="Chunk"/>.</summary>
    /// <param name="stream">The stream to read; a stream can be read once, so subscribe once.</param>
    /// <param name="bufferSize">The most bytes one read asks for.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave the stream open at the end; by default it is disposed.</param>
    /// <returns>The chunks read, completing at the end of the stream.</returns>
    /// <remarks>See <see cref="FromStream(Func{CancellationToken, ValueTask{Stream}}, int, bool)"/>; use that form for a source that can be subscribed again.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is not positive.</exception>
    public static IObservable<Chunk> FromStream(Stream stream, int bufferSize = DefaultBufferSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        return new StreamSource(_ => ValueTask.FromResult(stream), bufferSize, leaveOpen);
    }
}
