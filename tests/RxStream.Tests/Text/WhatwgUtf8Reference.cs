using System.Text;

namespace RxStream.Tests.Text;

/// <summary>A literal, byte-at-a-time transcription of the WHATWG Encoding standard's UTF-8 decoder, independent of the production code.</summary>
/// <remarks>https://encoding.spec.whatwg.org/#utf-8-decoder, with "decode" (BOM sniffing) and end-of-queue handling.</remarks>
internal static class WhatwgUtf8Reference
{
    public static string Decode(byte[] input, bool keepBom = false)
    {
        var output = new StringBuilder();
        int codePoint = 0, bytesSeen = 0, bytesNeeded = 0, lower = 0x80, upper = 0xBF;
        var start = !keepBom && input.Length >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0;
        var i = start;
        while (true)
        {
            if (i == input.Length)
            {
                // "If byte is end-of-queue and UTF-8 bytes needed is not 0, set UTF-8 bytes needed to 0 and return error."
                if (bytesNeeded != 0)
                {
                    output.Append('\uFFFD');
                }

                return output.ToString();
            }

            var b = input[i];
            if (bytesNeeded == 0)
            {
                i++;
                if (b <= 0x7F)
                {
                    output.Append((char)b);
                }
                else if (b is >= 0xC2 and <= 0xDF)
                {
                    bytesNeeded = 1;
                    codePoint = b & 0x1F;
                }
                else if (b is >= 0xE0 and <= 0xEF)
                {
                    if (b == 0xE0)
                    {
                        lower = 0xA0;
                    }

                    if (b == 0xED)
                    {
                        upper = 0x9F;
                    }

                    bytesNeeded = 2;
                    codePoint = b & 0xF;
                }
                else if (b is >= 0xF0 and <= 0xF4)
                {
                    if (b == 0xF0)
                    {
                        lower = 0x90;
                    }

                    if (b == 0xF4)
                    {
                        upper = 0x8F;
                    }

                    bytesNeeded = 3;
                    codePoint = b & 0x7;
                }
                else
                {
                    output.Append('\uFFFD');
                }

                continue;
            }

            if (b < lower || b > upper)
            {
                // "Set code point, bytes needed and bytes seen to 0, lower to 0x80, upper to 0xBF. Restore byte to ioQueue. Return error."
                codePoint = bytesNeeded = bytesSeen = 0;
                lower = 0x80;
                upper = 0xBF;
                output.Append('\uFFFD');
                continue;
            }

            i++;
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            bytesSeen++;
            if (bytesSeen != bytesNeeded)
            {
                continue;
            }

            output.Append(char.ConvertFromUtf32(codePoint));
            codePoint = bytesNeeded = bytesSeen = 0;
        }
    }
}
