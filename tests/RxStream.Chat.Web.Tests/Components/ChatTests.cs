using System.Reactive.Concurrency;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RxStream.Chat.Web.Backend;
using RxStream.Resilience;
using ChatPage = RxStream.Chat.Web.Components.Pages.Chat;

namespace RxStream.Chat.Web.Tests.Components;

/// <summary>The chat page's logic without a browser: bUnit renders it against a scripted backend, frames timed in virtual time.</summary>
public sealed class ChatTests : IDisposable
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(50);

    private readonly BunitContext _context = new();
    private readonly ScriptedBackend _backend = new();
    private readonly HistoricalScheduler _scheduler = new();

    public ChatTests()
    {
        _context.Services.AddSingleton<IChatBackend>(_backend);
        _context.Services.AddSingleton(new FrameSettings(Frame, _scheduler));
        _context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Chat_Prerendered_DisablesSendUntilTheCircuitIsUp()
    {
        _context.SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var page = _context.Render<ChatPage>();

        Assert.True(page.Find("#send").HasAttribute("disabled"));
        Assert.Equal("no", page.Find("form").GetAttribute("data-interactive"));
    }

    [Fact]
    public void Chat_Opened_ListsTheBackendsTransportsAndIsReady()
    {
        var page = _context.Render<ChatPage>();

        Assert.Equal(["Sse", "Fetch", "WebSocket"], page.FindAll("#transport option").Select(o => o.GetAttribute("value")));
        Assert.Equal("ready", page.Find("#status").TextContent);
        Assert.False(page.Find("#send").HasAttribute("disabled"));
        Assert.True(page.Find("#stop").HasAttribute("disabled"));
    }

    [Fact]
    public void Chat_Send_AsksTheChosenTransportAndRendersTheAnswerAtMostOncePerFrame()
    {
        var page = _context.Render<ChatPage>();
        page.Find("#prompt").Input("Why Rx?");
        page.Find("#transport").Change("Fetch");

        page.Find("form").Submit();
        _backend.Status!.OnNext(new ConnectionStatus.Open(1, null));
        _scheduler.AdvanceBy(Frame);
        page.WaitForAssertion(() => Assert.Equal("connected", page.Find("#status").TextContent));
        _backend.Pieces.OnNext("Naïve ");
        _backend.Pieces.OnNext("café");

        Assert.Equal([(ChatTransport.Fetch, "Why Rx?")], _backend.Requests);
        Assert.Equal(string.Empty, page.Find("#answer").TextContent);
        Assert.True(page.Find("#send").HasAttribute("disabled"));
        Assert.False(page.Find("#stop").HasAttribute("disabled"));

        _scheduler.AdvanceBy(Frame);
        page.WaitForAssertion(() => Assert.Equal("Naïve café", page.Find("#answer").TextContent));
        Assert.Equal("receiving…", page.Find("#status").TextContent);
    }

    [Fact]
    public void Chat_AnswerEnds_ShowsTheWholeAnswerAtOnceAndAllowsAnotherSend()
    {
        var page = _context.Render<ChatPage>();
        page.Find("form").Submit();
        _backend.Pieces.OnNext("a");
        _backend.Pieces.OnNext("b");

        _backend.Pieces.OnCompleted();

        page.WaitForAssertion(() => Assert.Equal("done", page.Find("#status").TextContent));
        Assert.Equal("ab", page.Find("#answer").TextContent);
        Assert.False(page.Find("#send").HasAttribute("disabled"));
        Assert.True(page.Find("#stop").HasAttribute("disabled"));
    }

    [Fact]
    public void Chat_Stop_DisposesTheAnswerAndSaysStopped()
    {
        var page = _context.Render<ChatPage>();
        page.Find("form").Submit();
        _backend.Pieces.OnNext("partial");

        page.Find("#stop").Click();

        Assert.Equal((1, 1), (_backend.Subscribed, _backend.Disposed));
        page.WaitForAssertion(() => Assert.Equal("stopped", page.Find("#status").TextContent));
        Assert.Equal("partial", page.Find("#answer").TextContent);
        Assert.Equal("stopped", page.Find("#status").GetAttribute("class"));
        Assert.True(page.Find("#stop").HasAttribute("disabled"));
    }

    [Fact]
    public void Chat_Reconnecting_SaysWhenTheNextAttemptIs()
    {
        var page = _context.Render<ChatPage>();
        page.Find("form").Submit();
        _scheduler.AdvanceBy(Frame);

        _backend.Status!.OnNext(new ConnectionStatus.Reconnecting(2, TimeSpan.FromSeconds(3), new IOException("reset")));

        page.WaitForAssertion(() => Assert.Equal("reconnecting in 3 s", page.Find("#status").TextContent));
        Assert.Equal("reconnecting", page.Find("#status").GetAttribute("class"));
    }

    [Fact]
    public void Chat_AnswerFails_ShowsWhyAndKeepsTheText()
    {
        var page = _context.Render<ChatPage>();
        page.Find("form").Submit();
        _backend.Pieces.OnNext("half");

        _backend.Pieces.OnError(new HttpRequestException("503 Service Unavailable"));

        page.WaitForAssertion(() => Assert.Equal("failed: 503 Service Unavailable", page.Find("#status").TextContent));
        Assert.Equal("half", page.Find("#answer").TextContent);
        Assert.Equal("failed", page.Find("#status").GetAttribute("class"));
    }

    [Fact]
    public async Task Chat_LeftMidAnswer_DisposesTheAnswer()
    {
        _context.Render<ChatPage>().Find("form").Submit();

        await _context.DisposeComponentsAsync();

        Assert.Equal((1, 1), (_backend.Subscribed, _backend.Disposed));
    }

    [Fact]
    public void Chat_BlankPrompt_CannotBeSent()
    {
        var page = _context.Render<ChatPage>();

        page.Find("#prompt").Input("   ");

        Assert.True(page.Find("#send").HasAttribute("disabled"));
        page.Find("form").Submit();
        Assert.Empty(_backend.Requests);
    }
}
