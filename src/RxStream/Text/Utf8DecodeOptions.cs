namespace RxStream.Text;

/// <summary>Configures <see cref="StreamObservable.DecodeUtf8(IObservable{Chunk}, Utf8DecodeOptions?)"/> as <c>TextDecoder</c>'s options do.</summary>
public sealed record Utf8DecodeOptions
{
    /// <summary>Gets a value indicating whether a leading byte order mark is kept as U+FEFF (<c>ignoreBOM: true</c>); by default it is dropped.</summary>
    public bool KeepBom { get; init; }

    /// <summary>Gets a value indicating whether invalid bytes fail the stream with <see cref="Utf8DecodeException"/> (<c>fatal: true</c>) instead of becoming U+FFFD.</summary>
    public bool Fatal { get; init; }
}
