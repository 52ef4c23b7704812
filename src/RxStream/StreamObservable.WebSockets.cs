using RxStream.WebSockets;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Creates a cold WebSocket source: each subscription connects to <paramref name="uri"/> and emits its messages as chunks; the returned object also sends.</summary>
    /// <param name="uri">A <c>ws://</c> or <c>wss://</c> address.</param>
    /// <param name="options">Headers, sub-protocols, message mode and limits; the defaults when <see langword="null"/>.</param>
    /// <returns>The connection: an <see cref="IObservable{Chunk}"/> of messages (each chunk says text or binary) with <c>SendAsync</c>.</returns>
    /// <remarks>See <see cref="WebSocketConnection"/> for the send design and the close sequence.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not an absolute ws or wss address.</exception>
    public static WebSocketConnection WebSocket(Uri uri, WebSocketConnectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException("The address must be an absolute ws:// or wss:// URI.", nameof(uri));
        }

        return new WebSocketConnection(uri, options ?? new WebSocketConnectOptions());
    }
}
