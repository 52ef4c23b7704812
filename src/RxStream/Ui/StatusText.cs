using System.Globalization;
using RxStream.Resilience;

namespace RxStream.Ui;

/// <summary>Turns a connection's lifecycle into the short status line a person reads under a chat answer.</summary>
/// <remarks>The words are English and stable, so that a UI test can look for them; a localized UI maps <see cref="AnswerPhase"/> and <see cref="ConnectionStatus"/> itself.</remarks>
public static class StatusText
{
    /// <summary>The line while the first connection is being made.</summary>
    public const string Connecting = "connecting…";

    /// <summary>The line once the connection is open and before anything arrives.</summary>
    public const string Connected = "connected";

    /// <summary>The line while pieces of the answer arrive.</summary>
    public const string Receiving = "receiving…";

    /// <summary>The line after the answer ended normally.</summary>
    public const string Completed = "done";

    /// <summary>The line after the user stopped the answer.</summary>
    public const string Stopped = "stopped";

    /// <summary>The line after the connection closed for good without an error.</summary>
    public const string Closed = "closed";

    /// <summary>Describes <paramref name="status"/> in a few words: "connecting…", "connected", "reconnecting in 3 s", "closed".</summary>
    /// <param name="status">The status a reconnecting source reported.</param>
    /// <returns>The status line.</returns>
    /// <remarks>The cause of a reconnect or of the final close is left out; it is in the status itself for a log to show.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    public static string Describe(ConnectionStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status switch
        {
            ConnectionStatus.Connecting { Attempt: 1 } => Connecting,
            ConnectionStatus.Connecting connecting => string.Create(CultureInfo.InvariantCulture, $"connecting… (attempt {connecting.Attempt})"),
            ConnectionStatus.Open => Connected,
            ConnectionStatus.Reconnecting reconnecting => $"reconnecting in {Describe(reconnecting.Delay)}",
            ConnectionStatus.Closed { Cause: null } => Closed,
            ConnectionStatus.Closed closed => Failed(closed.Cause!),
            _ => status.ToString(),
        };
    }

    /// <summary>Describes the error that ended an answer: "failed: " and its message.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The status line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static string Failed(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"failed: {error.Message}";
    }

    // "3 s" and "1.5 s" from a second on, "300 ms" below it, "0 s" for an immediate attempt.
    private static string Describe(TimeSpan delay) =>
        delay >= TimeSpan.FromSeconds(1) || delay == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(delay.TotalMilliseconds):0} ms");
}
