using CsCheck;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Text;

public class SplitLinesTests
{
    [Fact]
    public void SplitLines_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.SplitLines(null!)).ParamName);
        Assert.Equal("maxLineLength", Assert.Throws<ArgumentOutOfRangeException>(() => System.Reactive.Linq.Observable.Empty<string>().SplitLines(0)).ParamName);
    }

    [Fact]
    public void SplitLines_CrlfSplitAcrossPieces_EndsOneLine()
    {
        var (values, _, _) = Run(["a\r", "\nb\r", "c\n", "\r\n", "last"]);
        Assert.Equal(["a", "b", "c", "", "last"], values);
    }

    [Fact]
    public void SplitLines_LineOverTheLimit_FailsTypedAfterEarlierLines()
    {
        var (values, error, _) = Run(["ok\n12", "345", "6\n"], maxLineLength: 5);
        Assert.Equal(["ok"], values);
        Assert.Equal(5, Assert.IsType<StreamLimitExceededException>(error).Limit);
    }

    [Fact]
    public void SplitLines_AnySplit_GivesTheSameLinesAsTheWhole()
    {
        Chunking.Split(TextGen.ValidText).SampleSeeded(
            sample =>
            {
                var text = System.Text.Encoding.UTF8.GetString(sample.Data);
                var pieces = Cut(text, sample.Chunks.Select(c => c.Length));
                Assert.Equal(Run([text]).Values, Run(pieces).Values);
            },
            seed: "splitLines01",
            iter: 10_000);
    }

    private static (List<string> Values, Exception? Error, bool Completed) Run(string[] pieces, int maxLineLength = StreamObservable.DefaultMaxLineLength)
    {
        var values = new List<string>();
        Exception? error = null;
        var completed = false;
        System.Reactive.Linq.Observable.ToObservable(pieces).SplitLines(maxLineLength).Subscribe(values.Add, e => error = e, () => completed = true);
        return (values, error, completed);
    }

    // Cuts text into pieces of roughly the given lengths (in chars), so the CR/LF boundaries fall anywhere.
    private static string[] Cut(string text, IEnumerable<int> lengths)
    {
        var pieces = new List<string>();
        var at = 0;
        foreach (var length in lengths)
        {
            var take = Math.Min(length, text.Length - at);
            pieces.Add(text.Substring(at, take));
            at += take;
        }

        pieces.Add(text[at..]);
        return pieces.ToArray();
    }
}
