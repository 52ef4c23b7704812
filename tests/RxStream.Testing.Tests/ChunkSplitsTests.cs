namespace RxStream.Testing.Tests;

public sealed class ChunkSplitsTests
{
    private static readonly byte[] Data = "data: héllo\r\n\r\n"u8.ToArray();

    [Fact]
    public void At_NullCuts_Throws() =>
        Assert.Equal("cuts", Assert.Throws<ArgumentNullException>(() => ChunkSplits.At(Data, null!)).ParamName);

    [Fact]
    public void Random_NegativeMaxCuts_Throws() =>
        Assert.Equal("maxCuts", Assert.Throws<ArgumentOutOfRangeException>(() => ChunkSplits.Random(Data, 1, -1)).ParamName);

    [Fact]
    public void Whole_IsOneChunkOfAllTheBytes() => Assert.Equal(Data, Assert.Single(ChunkSplits.Whole(Data)).Data.ToArray());

    [Fact]
    public void OneByteAtATime_IsOneChunkPerByte()
    {
        var chunks = ChunkSplits.OneByteAtATime(Data);

        Assert.Equal(Data.Length, chunks.Length);
        Assert.All(chunks, c => Assert.Equal(1, c.Length));
        Assert.Equal(Data, chunks.SelectMany(c => c.Data.ToArray()));
    }

    [Fact]
    public void At_CutsOutOfOrderRepeatedAndOutOfRange_AreClampedSortedAndMakeEmptyChunks()
    {
        var chunks = ChunkSplits.At("abcdef"u8, [4, 2, 2, 99, -5]);

        Assert.Equal(["", "ab", "", "cd", "ef", ""], chunks.Select(c => c.GetString()));
    }

    [Fact]
    public void Random_SameSeed_SameSplitAndAllTheBytes()
    {
        var first = ChunkSplits.Random(Data, seed: 42);
        var again = ChunkSplits.Random(Data, seed: 42);

        Assert.Equal(first, again);
        Assert.Equal(Data, first.SelectMany(c => c.Data.ToArray()));
    }

    [Fact]
    public void All_NamesEachSplitAndKeepsTheBytes()
    {
        var splits = ChunkSplits.All(Data, randomSplits: 3, seed: 7);

        Assert.Equal(["whole", "one byte at a time", "random seed 7", "random seed 8", "random seed 9"], splits.Select(s => s.Key));
        Assert.All(splits, s => Assert.Equal(Data, s.Value.SelectMany(c => c.Data.ToArray())));
    }

    [Fact]
    public void All_ParseSseOverEverySplit_GivesTheSameEvents()
    {
        var expected = Run(ChunkSplits.Whole(Data));

        foreach (var (name, chunks) in ChunkSplits.All(Data, randomSplits: 50))
        {
            Assert.True(expected.SequenceEqual(Run(chunks)), name);
        }
    }

    private static List<string> Run(Chunk[] chunks)
    {
        var events = new List<string>();
        using var subscription = System.Reactive.Linq.Observable.ToObservable(chunks).ParseSse().Subscribe(e => events.Add(e.Data));
        return events;
    }
}
