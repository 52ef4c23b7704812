using System.Text;

namespace RxStream;

/// <summary>Holds the bytes one source delivered in one piece: the unit every RxStream source emits.</summary>
/// <remarks>
/// <para>
/// A chunk is immutable and stays valid after <c>OnNext</c> returns, so it can be buffered, replayed or
/// observed on another thread. Sources never lend pooled memory through a chunk: every byte a source
/// hands out belongs to that chunk alone and is never written again. Several chunks may be slices of one
/// array (a bulk read lands next to the one before it), so <c>MemoryMarshal.TryGetArray</c> can show bytes
/// around a chunk that are not its data.
/// </para>
/// <para>
/// For a byte stream (<see cref="ChunkKind.Stream"/>) the boundaries between chunks carry no meaning:
/// the operators give the same output for every way of splitting the same bytes. For a message
/// transport, <see cref="Kind"/> says whether the bytes are text or binary and
/// <see cref="IsEndOfMessage"/> whether they end a message.
/// </para>
/// </remarks>
public readonly struct Chunk : IEquatable<Chunk>
{
    // How many bytes ToString shows before it elides the rest.
    private const int PreviewBytes = 48;

    /// <summary>Wraps bytes of a byte stream in a chunk, without copying them.</summary>
    /// <param name="data">The bytes. The caller promises not to change them for as long as the chunk lives.</param>
    public Chunk(ReadOnlyMemory<byte> data)
        : this(data, ChunkKind.Stream, endOfMessage: false)
    {
    }

    /// <summary>Wraps bytes in a chunk of the given kind, without copying them.</summary>
    /// <param name="data">The bytes. The caller promises not to change them for as long as the chunk lives.</param>
    /// <param name="kind">What the bytes are.</param>
    /// <param name="endOfMessage">Whether these bytes end a message (message transports only).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public Chunk(ReadOnlyMemory<byte> data, ChunkKind kind, bool endOfMessage)
    {
        if (kind is < ChunkKind.Stream or > ChunkKind.Binary)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown chunk kind.");
        }

        Data = data;
        Kind = kind;
        IsEndOfMessage = endOfMessage;
    }

    /// <summary>Gets the bytes of the chunk.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the bytes of the chunk as a span.</summary>
    public ReadOnlySpan<byte> Span => Data.Span;

    /// <summary>Gets the number of bytes in the chunk.</summary>
    public int Length => Data.Length;

    /// <summary>Gets a value indicating whether the chunk holds no bytes.</summary>
    public bool IsEmpty => Data.IsEmpty;

    /// <summary>Gets what the chunk carries.</summary>
    public ChunkKind Kind { get; }

    /// <summary>Gets a value indicating whether the chunk ends a message; always <see langword="false"/> for <see cref="ChunkKind.Stream"/>.</summary>
    public bool IsEndOfMessage { get; }

    /// <summary>Makes a stream chunk over a slice of an array, without copying it.</summary>
    /// <param name="array">The array. The caller promises not to change the slice for as long as the chunk lives.</param>
    /// <param name="offset">Where the slice starts.</param>
    /// <param name="count">How many bytes it holds.</param>
    /// <returns>The chunk.</returns>
    public static Chunk FromArray(byte[] array, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(array);
        return new Chunk(new ReadOnlyMemory<byte>(array, offset, count));
    }

    /// <summary>Copies bytes into a new chunk that owns them.</summary>
    /// <param name="bytes">The bytes to copy.</param>
    /// <param name="kind">What the bytes are.</param>
    /// <param name="endOfMessage">Whether these bytes end a message.</param>
    /// <returns>The chunk.</returns>
    public static Chunk Copy(ReadOnlySpan<byte> bytes, ChunkKind kind = ChunkKind.Stream, bool endOfMessage = false)
        => new(bytes.IsEmpty ? ReadOnlyMemory<byte>.Empty : bytes.ToArray(), kind, endOfMessage);

    /// <summary>Encodes text as UTF-8 into a new chunk.</summary>
    /// <param name="text">The text.</param>
    /// <param name="kind">What the chunk is; a WebSocket text message uses <see cref="ChunkKind.Text"/>.</param>
    /// <param name="endOfMessage">Whether the chunk ends a message.</param>
    /// <returns>The chunk.</returns>
    public static Chunk FromString(string text, ChunkKind kind = ChunkKind.Stream, bool endOfMessage = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Chunk(Encoding.UTF8.GetBytes(text), kind, endOfMessage);
    }

    /// <summary>Decodes the bytes as UTF-8, replacing invalid sequences with U+FFFD.</summary>
    /// <returns>The text.</returns>
    /// <remarks>A multi-byte sequence split across chunks decodes wrongly here; use <c>DecodeUtf8()</c> on the stream for that.</remarks>
    public string GetString() => Encoding.UTF8.GetString(Data.Span);

    /// <inheritdoc/>
    public bool Equals(Chunk other)
        => Kind == other.Kind && IsEndOfMessage == other.IsEndOfMessage && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Chunk other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(IsEndOfMessage);
        hash.AddBytes(Data.Span);
        return hash.ToHashCode();
    }

    /// <summary>Compares two chunks by kind, end-of-message flag and bytes.</summary>
    /// <param name="left">One chunk.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(Chunk left, Chunk right) => left.Equals(right);

    /// <summary>Compares two chunks by kind, end-of-message flag and bytes.</summary>
    /// <param name="left">One chunk.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(Chunk left, Chunk right) => !left.Equals(right);

    /// <summary>Describes the chunk: its kind, its length and a preview of its bytes as text.</summary>
    /// <returns>For example <c>Chunk(Text, end of message, 5 B) "hello"</c>.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder("Chunk(").Append(Kind);
        if (IsEndOfMessage)
        {
            builder.Append(", end of message");
        }

        builder.Append(", ").Append(Length).Append(" B) \"");
        var preview = Data.Span[..Math.Min(Length, PreviewBytes)];
        foreach (var rune in Encoding.UTF8.GetString(preview).EnumerateRunes())
        {
            AppendEscaped(builder, rune);
        }

        builder.Append('"');
        if (Length > PreviewBytes)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, Rune rune)
    {
        switch (rune.Value)
        {
            case '\r': builder.Append("\\r"); break;
            case '\n': builder.Append("\\n"); break;
            case '\t': builder.Append("\\t"); break;
            case '"': builder.Append("\\\""); break;
            case '\\': builder.Append("\\\\"); break;
            case < 0x20 or 0x7F: builder.Append("\\x").Append(rune.Value.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)); break;
            default: builder.Append(rune.ToString()); break;
        }
    }
}
