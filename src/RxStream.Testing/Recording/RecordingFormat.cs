using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RxStream.Testing.Recording;

/// <summary>Names and encodes the fields of the line-oriented JSON recording format, shared by the writer and the reader.</summary>
internal static class RecordingFormat
{
    public const string Name = "rxstream-recording";
    public const int Version = 1;

    // The value a secret header's value is replaced with.
    public const string Redacted = "[redacted]";

    // Human-readable text in the file: é stays é, while the characters JSON must escape are escaped.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Strict UTF-8: bytes that are not valid UTF-8 go out as base64, so every byte comes back exactly.
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static double Milliseconds(TimeSpan offset) => Math.Round(offset.Ticks / (double)TimeSpan.TicksPerMillisecond, 4);

    public static TimeSpan FromMilliseconds(double ms) => TimeSpan.FromTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond));

    public static string KindName(ChunkKind kind) => kind switch
    {
        ChunkKind.Text => "text",
        ChunkKind.Binary => "binary",
        _ => "stream",
    };

    public static ChunkKind ParseKind(string? name, int line) => name switch
    {
        null or "stream" => ChunkKind.Stream,
        "text" => ChunkKind.Text,
        "binary" => ChunkKind.Binary,
        _ => throw new RecordingFormatException(line, $"unknown chunk kind '{name}'."),
    };

    public static string EndName(RecordedEndKind kind) => kind switch
    {
        RecordedEndKind.Completed => "completed",
        RecordedEndKind.Failed => "failed",
        _ => "disposed",
    };

    public static RecordedEndKind ParseEnd(string? name, int line) => name switch
    {
        "completed" => RecordedEndKind.Completed,
        "failed" => RecordedEndKind.Failed,
        "disposed" => RecordedEndKind.Disposed,
        _ => throw new RecordingFormatException(line, $"unknown end '{name}'."),
    };

    public static void WriteBytes(Utf8JsonWriter json, ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            json.WriteBase64String("base64", bytes);
            return;
        }

        json.WriteString("text", text);
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
