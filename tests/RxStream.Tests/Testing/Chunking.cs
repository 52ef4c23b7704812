using System.Reactive.Linq;
using CsCheck;
using RxStream.Testing;

namespace RxStream.Tests.Testing;

/// <summary>Adds to the kit's <see cref="ChunkSplits"/> what only our tests need: CsCheck generators of split inputs, and a synchronous run of a pipeline over chunks.</summary>
public static class Chunking
{
    /// <summary>Generates a byte string with cut points into it, for CsCheck properties.</summary>
    public static Gen<(byte[] Data, Chunk[] Chunks)> Split(Gen<byte[]> data, int maxCuts = 24) =>
        from bytes in data
        from cuts in Gen.Int[0, bytes.Length].Array[0, maxCuts]
        select (bytes, ChunkSplits.At(bytes, cuts));

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
