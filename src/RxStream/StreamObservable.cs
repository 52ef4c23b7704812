namespace RxStream;

/// <summary>
/// Provides RxStream's sources and operators: byte streams, HTTP bodies, Server-Sent Events and WebSockets as
/// <see cref="IObservable{T}"/> of <see cref="Chunk"/>, and the operators that decode, split, parse and stop them.
/// </summary>
/// <remarks>
/// Sources are cold: each subscription opens its own connection, and disposing the subscription closes or
/// aborts it. Share one connection explicitly with <c>Publish().RefCount()</c>. Every operator validates its
/// arguments when it is called, not when it is subscribed to.
/// </remarks>
public static partial class StreamObservable
{
}
