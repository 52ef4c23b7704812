using System.Buffers.Binary;
using System.Net.WebSockets;

namespace RxStream.Testing.WebSockets;

/// <summary>Encodes the server's frames and decodes the client's, as RFC 6455 lays them out.</summary>
/// <remarks>Specification: https://www.rfc-editor.org/rfc/rfc6455#section-5.2</remarks>
internal static class WebSocketFrames
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    /// <summary>Encodes one unmasked frame: "A server MUST NOT mask any frames that it sends to the client."</summary>
    public static byte[] Encode(byte opcode, ReadOnlySpan<byte> payload, bool final)
    {
        var headerLength = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[headerLength + payload.Length];
        frame[0] = (byte)((final ? 0x80 : 0) | opcode);
        if (payload.Length < 126)
        {
            frame[1] = (byte)payload.Length;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        payload.CopyTo(frame.AsSpan(headerLength));
        return frame;
    }

    /// <summary>Encodes a close frame: "the first two bytes of the body MUST be a 2-byte unsigned integer (in network byte order) representing a status code".</summary>
    public static byte[] EncodeClose(WebSocketCloseStatus? status, string? description)
    {
        if (status is null)
        {
            return Encode(Close, [], final: true);
        }

        var reason = System.Text.Encoding.UTF8.GetBytes(description ?? string.Empty);
        var body = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)status.Value);
        reason.CopyTo(body, 2);
        return Encode(Close, body, final: true);
    }

    /// <summary>Decodes the next whole frame at the start of <paramref name="buffer"/>, unmasking its payload, or returns <see langword="false"/> when more bytes are needed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out bool final, out byte opcode, out byte[] payload, out int consumed)
    {
        final = false;
        opcode = 0;
        payload = [];
        consumed = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        final = (buffer[0] & 0x80) != 0;
        opcode = (byte)(buffer[0] & 0x0F);
        var masked = (buffer[1] & 0x80) != 0;
        long length = buffer[1] & 0x7F;
        var at = 2;
        if (length == 126)
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
            at = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]);
            at = 10;
        }

        var maskAt = at;
        at += masked ? 4 : 0;
        if (buffer.Length - at < length)
        {
            return false;
        }

        payload = buffer.Slice(at, (int)length).ToArray();
        if (masked)
        {
            // "octet i of the transformed data is the XOR of octet i of the original data with octet at index i modulo 4 of the masking key".
            var key = buffer.Slice(maskAt, 4);
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= key[i % 4];
            }
        }

        consumed = at + (int)length;
        return true;
    }
}
