using System.Globalization;

namespace RxStream.Diagnostics;

/// <summary>Describes one subscription so far: how long the first item took, how fast items came, how many bytes and reconnects.</summary>
/// <remarks>
/// <para>Published by <see cref="StreamObservable.Measure{T}(IObservable{T}, IObserver{StreamStatistics}, IObservable{Resilience.ConnectionStatus}?)"/>
/// at the subscription, after each item, at each reconnect and once more, with <see cref="Ended"/> set, when the
/// stream ends or the subscription is disposed. Times come from the operator's scheduler.</para>
/// <para><see cref="ItemsPerSecond"/> is the rate after the first item (the items after it over the time from it to
/// the last one), as LLM dashboards give tokens per second: the wait for the first item is
/// <see cref="TimeToFirstItem"/>, not a slower rate.</para>
/// </remarks>
/// <param name="Elapsed">The time from the subscription to this snapshot.</param>
/// <param name="TimeToFirstItem">The time from the subscription to the first item, or <see langword="null"/> before it.</param>
/// <param name="Items">How many items arrived.</param>
/// <param name="Bytes">How many bytes those items held (a <see cref="Chunk"/>'s length, an SSE event's data or a string in UTF-8); 0 for other item types.</param>
/// <param name="Reconnects">How many reconnects the policy scheduled, when the operator was given its status stream.</param>
/// <param name="Streaming">The time from the first item to the last, or <see cref="TimeSpan.Zero"/> with fewer than two items.</param>
/// <param name="Ended">Whether this is the last snapshot: the stream ended, or the subscription was disposed.</param>
public readonly record struct StreamStatistics(
    TimeSpan Elapsed,
    TimeSpan? TimeToFirstItem,
    long Items,
    long Bytes,
    int Reconnects,
    TimeSpan Streaming,
    bool Ended)
{
    /// <summary>Gets the items per second after the first item, or <see langword="null"/> until two items arrived at different times.</summary>
    public double? ItemsPerSecond => Items > 1 && Streaming > TimeSpan.Zero ? (Items - 1) / Streaming.TotalSeconds : null;

    /// <summary>Returns a line for a status bar, such as <c>1.2 s to first item · 38 items/s · 4.1 kB · 1 reconnect</c>.</summary>
    /// <returns>The line, in the invariant culture.</returns>
    public override string ToString() => ToString("item");

    /// <summary>Returns a line for a status bar that names the items, such as <c>1.2 s to first token · 38 tokens/s</c> for <c>"token"</c>.</summary>
    /// <param name="itemName">What one item is, in the singular.</param>
    /// <returns>The line, in the invariant culture.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemName"/> is <see langword="null"/>.</exception>
    public string ToString(string itemName)
    {
        ArgumentNullException.ThrowIfNull(itemName);
        var parts = new List<string>(4);
        parts.Add(TimeToFirstItem is { } first
            ? Format($"{first.TotalSeconds:0.0} s to first {itemName}")
            : Format($"{Elapsed.TotalSeconds:0.0} s, no {itemName} yet"));
        if (ItemsPerSecond is { } rate)
        {
            parts.Add(Format($"{rate:0.#} {itemName}s/s"));
        }

        if (Bytes > 0)
        {
            parts.Add(Bytes < 1000 ? Format($"{Bytes} B") : Format($"{Bytes / 1000.0:0.0} kB"));
        }

        if (Reconnects > 0)
        {
            parts.Add(Reconnects == 1 ? "1 reconnect" : Format($"{Reconnects} reconnects"));
        }

        return string.Join(" · ", parts);
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
