namespace RxStream.Scale;

/// <summary>Names the two ways the client consumes the same streams.</summary>
internal enum StreamKind
{
    /// <summary>One <c>StreamObservable.EventSource</c> subscription per stream, with the default options.</summary>
    RxStream,

    /// <summary>One <c>HttpClient</c> GET plus <c>SseParser.Create(stream).EnumerateAsync()</c> loop per stream: the baseline.</summary>
    Raw,
}
