namespace RxStream.WebSockets;

/// <summary>Assembles a WebSocket message that takes more than one receive straight in the array its chunk will own.</summary>
/// <remarks>
/// <para>A message that fits in one receive never comes here: it is read into the pooled receive buffer and copied
/// out at its exact size. A longer one is received into a fresh array, doubled when full up to the message limit,
/// and handed to its chunk without a copy when it fills at least three quarters of that array (otherwise it is copied
/// out at its exact size and the array dropped). The array is new for each message and nothing writes to it after
/// the hand-over, so a chunk stays valid after <c>OnNext</c>.</para>
/// <para>The length of the last message sizes the array of the next: once a long message has been seen, the next
/// one is received into an array of that size from its first byte, so a run of equal large messages is received with
/// no copy at all.</para>
/// </remarks>
internal sealed class MessageAssembler
{
    private readonly int _receiveSize;
    private readonly int _maxMessageSize;

    // The message under way, or an array made ready for the next one; nobody else sees it before Complete.
    private byte[]? _array;

    // Bytes of the message received so far.
    private int _written;

    // Whether a part without the end-of-message flag has arrived (it may have been empty).
    private bool _started;

    // The length of the last message: above one receive, the next message is received straight into an array this big.
    private int _expected;

    public MessageAssembler(int receiveSize, int maxMessageSize)
    {
        _receiveSize = receiveSize;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>Gets the number of bytes of the message under way.</summary>
    public int Written => _written;

    /// <summary>Gets a value indicating whether a message is under way.</summary>
    public bool InMessage => _started || _written > 0;

    /// <summary>Returns where the next receive should land: the free part of the message's array, or an empty block for the pooled buffer.</summary>
    /// <remarks>An empty block means a message that is expected to be short, or one whose array is full at the message limit (the next receive only shows whether it goes on).</remarks>
    public Memory<byte> NextTarget()
    {
        if (_array is null)
        {
            if (_expected <= _receiveSize)
            {
                return Memory<byte>.Empty;
            }

            // Uninitialized: only bytes a receive wrote are ever inside a chunk.
            _array = GC.AllocateUninitializedArray<byte>(_expected);
        }

        if (_written == _array.Length)
        {
            if (_array.Length >= _maxMessageSize)
            {
                return Memory<byte>.Empty;
            }

            Grow();
        }

        return _array.AsMemory(_written, Math.Min(_receiveSize, _array.Length - _written));
    }

    /// <summary>Counts <paramref name="count"/> bytes that a receive wrote into the block <see cref="NextTarget"/> returned.</summary>
    public void Advance(int count)
    {
        _written += count;
        _started = true;
    }

    /// <summary>Adds a part received into the pooled buffer: the first part of a message, or an empty part.</summary>
    /// <remarks>The caller has checked the message limit.</remarks>
    public void Append(ReadOnlySpan<byte> part)
    {
        _started = true;
        if (part.IsEmpty)
        {
            return;
        }

        _array ??= GC.AllocateUninitializedArray<byte>((int)Math.Min(_maxMessageSize, Math.Max(_expected, (long)part.Length + _receiveSize)));
        part.CopyTo(_array.AsSpan(_written));
        _written += part.Length;
    }

    /// <summary>Notes a message that arrived whole in one receive, so that the next is expected to be short as well.</summary>
    public void NoteSingleReceive(int length) => _expected = length;

    /// <summary>Ends the message under way and returns it as a chunk that owns its bytes.</summary>
    public Chunk Complete(ChunkKind kind)
    {
        var length = _written;
        Chunk chunk;
        if (_array is null)
        {
            chunk = new Chunk(ReadOnlyMemory<byte>.Empty, kind, endOfMessage: true);
        }
        else if (length * 4L >= _array.Length * 3L)
        {
            chunk = new Chunk(_array.AsMemory(0, length), kind, endOfMessage: true);
        }
        else
        {
            chunk = Chunk.Copy(_array.AsSpan(0, length), kind, endOfMessage: true);
        }

        // The array now belongs to the chunk (or to nobody): the next message gets a new one.
        _array = null;
        _written = 0;
        _started = false;
        _expected = length;
        return chunk;
    }

    private void Grow()
    {
        var array = _array!;
        var size = (int)Math.Min(_maxMessageSize, Math.Max(2L * array.Length, (long)_written + _receiveSize));
        var grown = GC.AllocateUninitializedArray<byte>(size);
        array.AsSpan(0, _written).CopyTo(grown);
        _array = grown;
    }
}
