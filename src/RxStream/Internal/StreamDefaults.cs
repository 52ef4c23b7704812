namespace RxStream.Internal;

/// <summary>Holds the defaults that the sources' option types share, so that no layer below the facade reads the facade.</summary>
internal static class StreamDefaults
{
    /// <summary>The read size a source uses when none is given: 16 KiB, the size of a TLS record.</summary>
    public const int BufferSize = 16 * 1024;
}
