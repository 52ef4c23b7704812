using System.Reactive.Linq;
using CsCheck;

namespace RxStream.Tests.Testing;

/// <summary>Splits a byte string into chunks: whole, one byte at a time, or at generated cut points (empty chunks included).</summary>
public static class Chunking
{
    /// <summary>The whole input as one chunk.</summary>
    public static Chunk[] Whole(ReadOnlySpan<byte> data) => [Chunk.Copy(data)];

    /// <summary>One chunk per byte.</summary>
    public static Chunk[] OneByteAtATime(ReadOnlySpan<byte> data)
    {
        var chunks = new Chunk[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            chunks[i] = Chunk.Copy(data.Slice(i, 1));
        }

        return chunks;
    }

    /// <summary>Cuts the input at the given offsets (clamped to the input, in any order; repeats make empty chunks).</summary>
    public static Chunk[] At(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Select(c => Math.Clamp(c, 0, data.Length)).Order().ToList();
        var chunks = new List<Chunk>(points.Count + 1);
        var start = 0;
        foreach (var point in points)
        {
            chunks.Add(Chunk.Copy(data.AsSpan(start, point - start)));
            start = point;
        }

        chunks.Add(Chunk.Copy(data.AsSpan(start)));
        return [.. chunks];
    }

    /// <summary>Cuts the input at random offsets from a seeded <see cref="Random"/>.</summary>
    public static Chunk[] Random(byte[] data, Random random, int maxCuts = 16)
    {
        var count = random.Next(maxCuts + 1);
        var cuts = new int[count];
        for (var i = 0; i < count; i++)
        {
            cuts[i] = random.Next(data.Length + 1);
        }

        return At(data, cuts);
    }

    /// <summary>Generates a byte string with cut points into it, for CsCheck properties.</summary>
    public static Gen<(byte[] Data, Chunk[] Chunks)> Split(Gen<byte[]> data, int maxCuts = 24) =>
        from bytes in data
        from cuts in Gen.Int[0, bytes.Length].Array[0, maxCuts]
        select (bytes, At(bytes, cuts));

    /// <summary>Pushes chunks through an operator synchronously and returns what it emitted and how it ended.</summary>
    public static (List<T> Values, Exception? Error, bool Completed) Run<T>(IEnumerable<Chunk> chunks, Func<IObservable<Chunk>, IObservable<T>> pipeline)
    {
        var values = new List<T>();
        Exception? error = null;
        var completed = false;
        using var subscription = pipeline(chunks.ToObservable()).Subscribe(values.Add, e => error = e, () => completed = true);
        return (values, error, completed);
    }
}
