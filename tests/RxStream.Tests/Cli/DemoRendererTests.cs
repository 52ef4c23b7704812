using RxStream.Cli;

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
        renderer.Render(new ChatFrame("First sentence. Second sen", "open", false, null));
        renderer.Report("reconnecting in 1 s (reset)");
        renderer.Report("open (again)");
        renderer.Render(new ChatFrame("First sentence. Second sentence goes on. Third", "open (again)", false, null));
        var done = renderer.Render(new ChatFrame("First sentence. Second sentence goes on. Third one.", "done", true, null));

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
        renderer.Render(new ChatFrame("Half a sen", "open", false, null));
        renderer.Report("reconnecting");
        Assert.Equal("* open\n* reconnecting\n", status.ToString().ReplaceLineEndings("\n"));
        Assert.False(renderer.Render(new ChatFrame("Half a sentence", "reconnecting", false, null)));
        Assert.True(renderer.Render(new ChatFrame("Half a sentence and the rest.", "done", true, null)));

        Assert.Equal("Half a sentence and the rest.\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("* open\n* reconnecting\n* done\n", status.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_FramesStatusBeforeTheEnd_IsNotPrintedSoTheViewsInitialIdleNeverShows()
    {
        var terminal = new StringWriter();
        var renderer = new DemoRenderer(terminal, terminal, shareTerminal: true);

        renderer.Render(new ChatFrame(string.Empty, "idle", false, null));
        renderer.Render(new ChatFrame("Hi.", "done", true, null));

        Assert.Equal("Hi.\n* done\n", terminal.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_LastFrameWithTextAndStatusTogether_PrintsTheTextBeforeTheFinalStatus()
    {
        var terminal = new StringWriter();
        var renderer = new DemoRenderer(terminal, terminal, shareTerminal: true);

        renderer.Render(new ChatFrame("The answer", "open", false, null));
        renderer.Render(new ChatFrame("The answer ends here. 🚀", "done", true, null));

        Assert.Equal("The answer ends here. 🚀\n* done\n", terminal.ToString().ReplaceLineEndings("\n"));
    }
}
