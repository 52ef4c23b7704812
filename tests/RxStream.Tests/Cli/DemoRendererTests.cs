using RxStream.Cli;
using RxStream.Ui;

namespace RxStream.Tests.Cli;

public class DemoRendererTests
{
    [Fact]
    public void Render_StatusMidSentenceOnASharedTerminal_WaitsForTheSentenceEndAndGetsItsOwnLine()
    {
        var terminal = new StringWriter();
        var renderer = new DemoRenderer(terminal, terminal, shareTerminal: true);

        renderer.Report("connecting (attempt 1)");
        renderer.Report("open");
        renderer.Render(new AnswerFrame("First sentence. Second sen", AnswerPhase.Receiving, "open"));
        renderer.Report("reconnecting in 1 s (reset)");
        renderer.Report("open (again)");
        renderer.Render(new AnswerFrame("First sentence. Second sentence goes on. Third", AnswerPhase.Receiving, "open (again)"));
        var done = renderer.Render(new AnswerFrame("First sentence. Second sentence goes on. Third one.", AnswerPhase.Completed, "done"));

        Assert.True(done);
        Assert.Equal(
            "* connecting (attempt 1)\n" +
            "* open\n" +
            "First sentence. Second sentence goes on.\n" +
            "* reconnecting in 1 s (reset)\n" +
            "* open (again)\n" +
            "Third one.\n" +
            "* done\n",
            terminal.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_SeparateOutputs_WritesTheAnswerUnchangedAndEachStatusAtOnceWithDoneLast()
    {
        var output = new StringWriter();
        var status = new StringWriter();
        var renderer = new DemoRenderer(output, status, shareTerminal: false);

        renderer.Report("open");
        renderer.Render(new AnswerFrame("Half a sen", AnswerPhase.Receiving, "open"));
        renderer.Report("reconnecting");
        Assert.Equal("* open\n* reconnecting\n", status.ToString().ReplaceLineEndings("\n"));
        Assert.False(renderer.Render(new AnswerFrame("Half a sentence", AnswerPhase.Receiving, "reconnecting")));
        Assert.True(renderer.Render(new AnswerFrame("Half a sentence and the rest.", AnswerPhase.Completed, "done")));

        Assert.Equal("Half a sentence and the rest.\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("* open\n* reconnecting\n* done\n", status.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_StatusOfAFrameBeforeTheEnd_IsNotPrintedSinceReportGivesEveryStatus()
    {
        var terminal = new StringWriter();
        var renderer = new DemoRenderer(terminal, terminal, shareTerminal: true);

        renderer.Render(new AnswerFrame(string.Empty, AnswerPhase.Connecting, "connecting…"));
        renderer.Render(new AnswerFrame("Hi.", AnswerPhase.Completed, "done"));

        Assert.Equal("Hi.\n* done\n", terminal.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_LastFrameWithTextAndStatusTogether_PrintsTheTextBeforeTheFinalStatus()
    {
        var terminal = new StringWriter();
        var renderer = new DemoRenderer(terminal, terminal, shareTerminal: true);

        renderer.Render(new AnswerFrame("The answer", AnswerPhase.Receiving, "open"));
        renderer.Render(new AnswerFrame("The answer ends here. 🚀", AnswerPhase.Completed, "done"));

        Assert.Equal("The answer ends here. 🚀\n* done\n", terminal.ToString().ReplaceLineEndings("\n"));
    }
}
