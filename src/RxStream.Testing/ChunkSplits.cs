namespace RxStream.Testing;

/// <summary>Cuts the same bytes into chunks in different ways, so a test can check that a pipeline's output does not depend on where a stream was split.</summary>
/// <remarks>
/// For a byte stream the boundaries between chunks carry no meaning (see <see cref="Chunk"/>), so every pipeline over
/// <see cref="ChunkKind.Stream"/> chunks should give the same output for <see cref="Whole"/>, <see cref="OneByteAtATime"/>
/// and any <see cref="Random"/> split of the same bytes. Every chunk owns a copy of its bytes.
/// </remarks>
public static class ChunkSplits
{
    /// <summary>Returns the whole input as one chunk.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>One chunk (empty when <paramref name="data"/> is).</returns>
    public static Chunk[] Whole(ReadOnlySpan<byte> data) => [Chunk.Copy(data)];

    /// <summary>Returns one chunk per byte.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>As many chunks as there are bytes.</returns>
    public static Chunk[] OneByteAtATime(ReadOnlySpan<byte> data)
    {
        var chunks = new Chunk[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            chunks[i] = Chunk.Copy(data.Slice(i, 1));
        }

        return chunks;
    }

    /// <summary>Cuts the input at the given offsets, in any order; an offset outside the input is clamped to it, and a repeated one makes an empty chunk.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cuts">Where to cut, as offsets into <paramref name="data"/>.</param>
    /// <returns>One more chunk than there are cuts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cuts"/> is <see langword="null"/>.</exception>
    public static Chunk[] At(ReadOnlySpan<byte> data, IEnumerable<int> cuts)
    {
        ArgumentNullException.ThrowIfNull(cuts);
        var length = data.Length;
        var points = cuts.Select(c => Math.Clamp(c, 0, length)).Order().ToList();
        var chunks = new Chunk[points.Count + 1];
        var start = 0;
        for (var i = 0; i < points.Count; i++)
        {
            chunks[i] = Chunk.Copy(data[start..points[i]]);
            start = points[i];
        }

        chunks[^1] = Chunk.Copy(data[start..]);
        return chunks;
    }

    /// <summary>Cuts the input at up to <paramref name="maxCuts"/> points drawn from a seeded generator, so a failing split can be reproduced from its seed.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="seed">The seed of the generator; the same seed gives the same split.</param>
    /// <param name="maxCuts">The most cuts to make.</param>
    /// <returns>The chunks.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCuts"/> is negative.</exception>
    public static Chunk[] Random(ReadOnlySpan<byte> data, int seed, int maxCuts = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCuts);
        var random = new Random(seed);
        var cuts = new int[random.Next(maxCuts + 1)];
        for (var i = 0; i < cuts.Length; i++)
        {
            cuts[i] = random.Next(data.Length + 1);
        }

        return At(data, cuts);
    }

    /// <summary>Returns the standard set of splits for a split-invariance test: whole, one byte at a time, and <paramref name="randomSplits"/> seeded random splits.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="randomSplits">How many random splits to add.</param>
    /// <param name="seed">The seed of the first random split; split <c>i</c> uses <c>seed + i</c>.</param>
    /// <returns>Each split with a name that says how to reproduce it (<c>whole</c>, <c>one byte at a time</c>, <c>random seed 42</c>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="randomSplits"/> is negative.</exception>
    public static IReadOnlyList<KeyValuePair<string, Chunk[]>> All(ReadOnlySpan<byte> data, int randomSplits = 32, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(randomSplits);
        var splits = new List<KeyValuePair<string, Chunk[]>>(randomSplits + 2)
        {
            new("whole", Whole(data)),
            new("one byte at a time", OneByteAtATime(data)),
        };
        for (var i = 0; i < randomSplits; i++)
        {
            splits.Add(new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"random seed {seed + i}"), Random(data, seed + i)));
        }

        return splits;
    }
}
