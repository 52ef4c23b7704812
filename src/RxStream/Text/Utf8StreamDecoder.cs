using System.Buffers;
using System.Text.Unicode;

namespace RxStream.Text;

// Specification: https://encoding.spec.whatwg.org/#utf-8-decoder and https://encoding.spec.whatwg.org/#dom-textdecoder-decode
/// <summary>Decodes UTF-8 pushed in pieces exactly as <c>TextDecoder</c> with <c>{stream: true}</c> does: a span state machine with no Rx in it.</summary>
/// <remarks>
/// <para>The bulk goes through the BCL's vectorized <see cref="Utf8.ToUtf16(ReadOnlySpan{byte}, Span{char}, out int, out int, bool, bool)"/>,
/// whose replacement of invalid input follows the Unicode "maximal subpart" practice that the WHATWG decoder
/// specifies (one U+FFFD per maximal subpart; the byte that breaks a sequence is read again). Only the at most
/// three bytes of a sequence torn by a chunk boundary are held, and finished with the next piece.</para>
/// </remarks>
internal sealed class Utf8StreamDecoder
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly bool _fatal;

    // Bytes of a sequence torn by the end of the previous piece (at most three), or of a possible BOM.
    private readonly byte[] _pending = new byte[8];
    private int _pendingLength;

    // "BOM seen" starts false; while it is, the first bytes are compared with a BOM.
    private bool _bomSeen;

    // How many bytes have been consumed before the current piece, to report a fatal error's offset.
    private long _offset;

    public Utf8StreamDecoder(bool keepBom, bool fatal)
    {
        _bomSeen = keepBom;
        _fatal = fatal;
    }

    /// <summary>Decodes <paramref name="bytes"/> into <paramref name="output"/>, which must hold <c>bytes.Length + 8</c> chars.</summary>
    /// <returns>The number of chars written; when <paramref name="error"/> is set, the valid text before the bad sequence.</returns>
    /// <param name="bytes">The next piece.</param>
    /// <param name="output">Where the chars go.</param>
    /// <param name="flush">Whether this is the end of the stream.</param>
    /// <param name="error">In fatal mode, the error for an invalid sequence; otherwise <see langword="null"/>.</param>
    public int Decode(ReadOnlySpan<byte> bytes, Span<char> output, bool flush, out Utf8DecodeException? error)
    {
        error = null;
        var written = 0;
        if (!_bomSeen)
        {
            // "If BOM seen is false: if the first three bytes are EF BB BF, skip them." They may arrive one at a time.
            while (_pendingLength < Bom.Length && !bytes.IsEmpty && bytes[0] == Bom[_pendingLength])
            {
                _pending[_pendingLength++] = bytes[0];
                bytes = bytes[1..];
            }

            if (_pendingLength == Bom.Length)
            {
                _offset += Bom.Length;
                _pendingLength = 0;
                _bomSeen = true;
            }
            else if (bytes.IsEmpty && !flush)
            {
                return 0;
            }
            else
            {
                // Not a BOM after all: what was held is ordinary data, decoded below.
                _bomSeen = true;
            }
        }

        if (_pendingLength > 0)
        {
            // Finish the torn sequence with up to four more bytes, enough to settle any sequence that began in it.
            Span<byte> joined = stackalloc byte[8];
            _pending.AsSpan(0, _pendingLength).CopyTo(joined);
            var borrowed = Math.Min(4, bytes.Length);
            bytes[..borrowed].CopyTo(joined[_pendingLength..]);
            var window = joined[..(_pendingLength + borrowed)];
            var final = flush && borrowed == bytes.Length;
            var status = Utf8.ToUtf16(window, output, out var read, out written, replaceInvalidSequences: !_fatal, isFinalBlock: final);
            if (status == OperationStatus.InvalidData)
            {
                error = new Utf8DecodeException(_offset + read);
                return written;
            }

            if (read < _pendingLength)
            {
                // Still torn (the piece was too short to settle it): hold the lot.
                window[read..].CopyTo(_pending);
                _offset += read;
                _pendingLength = window.Length - read;
                return written;
            }

            _offset += read;
            var fromPiece = read - _pendingLength;
            _pendingLength = 0;

            // Whatever of the new piece the window did not finish is decoded below, from the piece itself.
            bytes = bytes[fromPiece..];
            if (bytes.IsEmpty)
            {
                return written;
            }
        }

        var outcome = Utf8.ToUtf16(bytes, output[written..], out var consumed, out var produced, replaceInvalidSequences: !_fatal, isFinalBlock: flush);
        written += produced;
        if (outcome == OperationStatus.InvalidData)
        {
            error = new Utf8DecodeException(_offset + consumed);
            return written;
        }

        _offset += consumed;
        if (outcome == OperationStatus.NeedMoreData)
        {
            // "If byte is not in the range …, or bytes needed is not 0 at the end": hold the torn tail for the next piece.
            var tail = bytes[consumed..];
            tail.CopyTo(_pending);
            _pendingLength = tail.Length;
        }

        return written;
    }
}
