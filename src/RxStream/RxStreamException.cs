namespace RxStream;

/// <summary>Represents an error that an RxStream source or operator detected; the base of all RxStream errors.</summary>
/// <remarks>
/// Each derived type says what happened in typed properties (an HTTP status, the limit that was crossed,
/// a WebSocket close status) and, through <see cref="IsTransient"/>, whether another attempt could succeed.
/// The reconnect policy reads that property; messages never contain header values.
/// </remarks>
public class RxStreamException : Exception
{
    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What happened.</param>
    public RxStreamException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public RxStreamException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets a value indicating whether the same request could succeed if tried again later.</summary>
    /// <remarks>The default is <see langword="false"/>: an error is final unless its type knows better.</remarks>
    public virtual bool IsTransient => false;

    /// <summary>Gets how long the source asked the client to wait before trying again, when it said so (an HTTP <c>Retry-After</c>), or <see langword="null"/>.</summary>
    public virtual TimeSpan? RetryAfter => null;
}
