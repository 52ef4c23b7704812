using RxStream.Resilience;

namespace RxStream.Chat.Web.Backend;

/// <summary>Makes the answer to a prompt as a cold stream of text pieces: subscribing sends the request, disposing aborts it.</summary>
public interface IChatBackend
{
    /// <summary>Gets the transports this backend offers, in the order the page lists them.</summary>
    IReadOnlyList<ChatTransport> Transports { get; }

    /// <summary>Returns the answer to <paramref name="prompt"/> over <paramref name="transport"/>, reporting the connection's lifecycle to <paramref name="status"/>.</summary>
    /// <param name="transport">One of <see cref="Transports"/>.</param>
    /// <param name="prompt">What the user asked.</param>
    /// <param name="status">Receives the connection's statuses.</param>
    /// <returns>The answer's pieces, cold.</returns>
    IObservable<string> Answer(ChatTransport transport, string prompt, IObserver<ConnectionStatus> status);
}
