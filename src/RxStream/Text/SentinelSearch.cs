namespace RxStream.Text;

/// <summary>Finds a sentinel in a stream read piece by piece, holding back only what could still begin it.</summary>
/// <remarks>
/// The piece itself is searched with the vectorized <c>IndexOf</c>; only the few elements held from earlier pieces
/// (fewer than the sentinel's length) are checked by hand, so the cost is linear in the input.
/// <code>
/// sentinel "LLM-EOF"    pieces "…answer LL" | "M-E" | "OF tail"
/// held after each:              "LL"       "LLM-E"   (match: emit "…answer ", complete)
/// </code>
/// </remarks>
internal static class SentinelSearch
{
    /// <summary>Looks for the first occurrence of <paramref name="sentinel"/> in <c>held + piece</c>.</summary>
    /// <param name="held">What earlier pieces left: a proper prefix of the sentinel, or empty.</param>
    /// <param name="piece">The new piece.</param>
    /// <param name="sentinel">The sentinel, not empty.</param>
    /// <param name="keep">When nothing matched, how many elements at the end of <c>held + piece</c> could still begin the sentinel.</param>
    /// <returns>The match's index in <c>held + piece</c>, or -1.</returns>
    public static int Find<T>(ReadOnlySpan<T> held, ReadOnlySpan<T> piece, ReadOnlySpan<T> sentinel, out int keep)
        where T : IEquatable<T>
    {
        // A match that starts in what was held: the earliest candidate wins, and a candidate still open means no
        // later start can complete within this piece either.
        for (var start = 0; start < held.Length; start++)
        {
            var begun = held[start..];
            if (!sentinel.StartsWith(begun))
            {
                continue;
            }

            var rest = sentinel[begun.Length..];
            if (piece.Length >= rest.Length)
            {
                if (piece.StartsWith(rest))
                {
                    keep = 0;
                    return start;
                }
            }
            else if (rest.StartsWith(piece))
            {
                keep = begun.Length + piece.Length;
                return -1;
            }
        }

        var index = piece.IndexOf(sentinel);
        if (index >= 0)
        {
            keep = 0;
            return held.Length + index;
        }

        // The longest end of the piece that is a proper prefix of the sentinel is all that must wait. Such an end
        // starts with the sentinel's first element, so one search of the last few elements finds every candidate;
        // the earliest one that fits is the longest.
        var tail = piece[^Math.Min(sentinel.Length - 1, piece.Length)..];
        for (var start = tail.IndexOf(sentinel[0]); start >= 0; start = NextStart(tail, start, sentinel[0]))
        {
            if (sentinel.StartsWith(tail[start..]))
            {
                keep = tail.Length - start;
                return -1;
            }
        }

        keep = 0;
        return -1;
    }

    private static int NextStart<T>(ReadOnlySpan<T> tail, int previous, T first)
        where T : IEquatable<T>
    {
        var next = tail[(previous + 1)..].IndexOf(first);
        return next < 0 ? -1 : previous + 1 + next;
    }
}
