namespace RxStream;

/// <summary>Configures <see cref="StreamObservable.AsAsyncEnumerable{T}(IObservable{T}, AsyncEnumerableOptions?)"/>: how far the loop may fall behind the stream.</summary>
public sealed record AsyncEnumerableOptions
{
    /// <summary>The default number of items held for a loop that has not taken them yet: 4,096.</summary>
    public const int DefaultMaxBufferedItems = 4096;

    private readonly int _maxBufferedItems = DefaultMaxBufferedItems;

    /// <summary>Gets the most items held for the loop; <see cref="DefaultMaxBufferedItems"/> by default.</summary>
    /// <remarks>
    /// A stream pushes; a loop pulls. When the loop falls further behind than this, the subscription is disposed (closing the
    /// connection) and the loop, after taking the items already held, throws <see cref="StreamLimitExceededException"/>.
    /// </remarks>
    public int MaxBufferedItems
    {
        get => _maxBufferedItems;
        init => _maxBufferedItems = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }
}
