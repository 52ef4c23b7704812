namespace RxStream.Coyote.Tests.Testing;

/// <summary>Tells from a token whether its source has been disposed.</summary>
internal static class TokenSources
{
    /// <summary>Returns whether the source of <paramref name="token"/> is disposed: its token then refuses its wait handle.</summary>
    public static bool IsDisposed(CancellationToken token)
    {
        try
        {
            _ = token.WaitHandle;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
