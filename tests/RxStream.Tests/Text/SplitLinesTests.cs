using CsCheck;
using RxStream.Text;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Text;

public class SplitLinesTests
{
    [Fact]
    public void SplitLines_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.SplitLines(null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new SplitLinesOptions { MaxLineLength = 0 }).ParamName);
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
        var limit = Assert.IsType<StreamLimitExceededException>(error);
        Assert.Equal(5, limit.Limit);
        Assert.Equal(nameof(SplitLinesOptions.MaxLineLength), limit.LimitName);
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

    [Fact]
    public void SplitLines_DefaultOptions_AllowOneMebiCharLine()
    {
        Assert.Equal(1024 * 1024, new SplitLinesOptions().MaxLineLength);
        var line = new string('x', SplitLinesOptions.DefaultMaxLineChars);
        var (values, error, _) = Run([line, "\n"], maxLineLength: null);
        Assert.Null(error);
        Assert.Equal([line], values);
        (_, error, _) = Run([line, "y\n"], maxLineLength: null);
        Assert.Equal(SplitLinesOptions.DefaultMaxLineChars, Assert.IsType<StreamLimitExceededException>(error).Limit);
    }

    private static (List<string> Values, Exception? Error, bool Completed) Run(string[] pieces, int? maxLineLength = SplitLinesOptions.DefaultMaxLineChars)
    {
        var values = new List<string>();
        Exception? error = null;
        var completed = false;
        System.Reactive.Linq.Observable.ToObservable(pieces).SplitLines(maxLineLength is { } max ? new SplitLinesOptions { MaxLineLength = max } : null).Subscribe(values.Add, e => error = e, () => completed = true);
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
