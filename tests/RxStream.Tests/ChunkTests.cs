using System.Text;

namespace RxStream.Tests;

public class ChunkTests
{
    [Fact]
    public void Constructor_UnknownKind_ThrowsWithParameterName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Chunk(new byte[1], (ChunkKind)7, false));
        Assert.Equal("kind", error.ParamName);
    }

    [Fact]
    public void FromArray_NullArray_ThrowsWithParameterName()
    {
        var error = Assert.Throws<ArgumentNullException>(() => Chunk.FromArray(null!, 0, 0));
        Assert.Equal("array", error.ParamName);
    }

    [Fact]
    public void FromString_NullText_ThrowsWithParameterName()
    {
        var error = Assert.Throws<ArgumentNullException>(() => Chunk.FromString(null!));
        Assert.Equal("text", error.ParamName);
    }

    [Fact]
    public void Default_IsAnEmptyStreamChunk()
    {
        var chunk = default(Chunk);
        Assert.True(chunk.IsEmpty);
        Assert.Equal(0, chunk.Length);
        Assert.Equal(ChunkKind.Stream, chunk.Kind);
        Assert.False(chunk.IsEndOfMessage);
    }

    [Fact]
    public void FromArray_Slice_SharesTheArrayWithoutCopying()
    {
        var array = "xxhelloxx"u8.ToArray();
        var chunk = Chunk.FromArray(array, 2, 5);
        Assert.Equal("hello", chunk.GetString());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(chunk.Data, out var segment));
        Assert.Same(array, segment.Array);
        Assert.Equal(2, segment.Offset);
    }

    [Fact]
    public void Copy_OwnsItsBytes_LaterChangesToTheSourceDoNotShow()
    {
        var source = "hello"u8.ToArray();
        var chunk = Chunk.Copy(source, ChunkKind.Text, endOfMessage: true);
        source[0] = (byte)'J';
        Assert.Equal("hello", chunk.GetString());
        Assert.Equal(ChunkKind.Text, chunk.Kind);
        Assert.True(chunk.IsEndOfMessage);
    }

    [Fact]
    public void Equals_ComparesKindFlagAndBytes()
    {
        var a = Chunk.FromString("abc");
        Assert.Equal(a, Chunk.Copy("abc"u8));
        Assert.True(a == Chunk.Copy("abc"u8));
        Assert.NotEqual(a, Chunk.Copy("abd"u8));
        Assert.NotEqual(a, Chunk.FromString("abc", ChunkKind.Text));
        Assert.NotEqual(a, Chunk.FromString("abc", ChunkKind.Stream, endOfMessage: true));
        Assert.Equal(a.GetHashCode(), Chunk.Copy("abc"u8).GetHashCode());
    }

    [Fact]
    public void ToString_ShowsKindLengthAndEscapedPreview()
    {
        Assert.Equal("Chunk(Text, end of message, 7 B) \"a\\r\\n\\\"é\\x01\"", Chunk.Copy("a\r\n\"é\u0001"u8, ChunkKind.Text, true).ToString());
    }

    [Fact]
    public void ToString_LongChunk_IsElided()
    {
        var text = Chunk.FromString(new string('a', 100)).ToString();
        Assert.StartsWith("Chunk(Stream, 100 B) \"aaaa", text);
        Assert.EndsWith("\"…", text);
        Assert.Equal(48, text[text.IndexOf('"', StringComparison.Ordinal)..].Count(c => c == 'a'));
    }

    [Fact]
    public void GetString_DecodesUtf8WithReplacement()
    {
        Assert.Equal("h\uFFFDi", Chunk.Copy([(byte)'h', 0xFF, (byte)'i']).GetString());
        Assert.Equal("日本", new Chunk(Encoding.UTF8.GetBytes("日本")).GetString());
    }
}
