namespace RxStream.Scale;

/// <summary>Opens streams of one kind and closes them all at disposal.</summary>
internal interface IStreamFleet : IAsyncDisposable
{
    /// <summary>Starts one stream whose events go to <paramref name="probe"/>; returns without waiting for it to open.</summary>
    void Open(StreamProbe probe);
}
