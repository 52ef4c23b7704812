using System.Diagnostics;
using Microsoft.Playwright;
using RxStream.Chat.Web.Backend;
using static Microsoft.Playwright.Assertions;

namespace RxStream.Chat.Web.Tests.Browser;

/// <summary>Drives the chat page in a real, headless Chromium against the app hosted in this process.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(ChatAppHost host)
{
    // Records every distinct text of #answer and #status as the browser renders it, from the first paint on.
    private const string Recorder = """
        (() => {
          const answers = [], statuses = [];
          window.__answers = answers;
          window.__statuses = statuses;
          const record = () => {
            const answer = document.getElementById('answer'), status = document.getElementById('status');
            if (answer && answer.textContent !== answers[answers.length - 1]) answers.push(answer.textContent);
            if (status && status.textContent !== statuses[statuses.length - 1]) statuses.push(status.textContent);
          };
          new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
        })();
        """;

    private static readonly float Wait = (float)ChatAppHost.Patience.TotalMilliseconds;

    // SSE is run by the drop test below, which checks the same and more.
    [ChromiumTheory]
    [InlineData("Fetch")]
    [InlineData("WebSocket")]
    public async Task ChatPage_Send_RendersTheAnswerProgressivelyAndEndsExactlyWithTheServersText(string transport)
    {
        var page = await OpenAsync();
        var since = DateTimeOffset.UtcNow;

        await SendAsync(page, transport);
        await Expect(page.Locator("#status")).ToHaveTextAsync(StatusTextOf.Done, new() { Timeout = Wait });

        Assert.Equal(DemoChatServer.Answer, await page.Locator("#answer").TextContentAsync());
        var renders = (await page.EvaluateAsync<string[]>("window.__answers")).Where(text => text.Length > 0).ToList();
        Assert.All(renders, text => Assert.StartsWith(text, DemoChatServer.Answer, StringComparison.Ordinal));
        Assert.True(renders.Count(text => text.Length < DemoChatServer.Answer.Length) >= 3, $"only {renders.Count} renders: the answer did not stream");
        var events = host.EventsSince(since);
        Assert.Equal(DemoEventKind.Finished, events[^1].Kind);
        Assert.Equal(DemoChatServer.Tokens.Count, events[^1].TokensSent);
        await page.Context.CloseAsync();
    }

    // The README's screenshot is taken here, mid-answer, while the page says it is reconnecting.
    [ChromiumFact]
    public async Task ChatPage_SseDropMidAnswer_ShowsReconnectingThenResumesWithNoTokenLostOrRepeated()
    {
        var page = await OpenAsync();
        var since = DateTimeOffset.UtcNow;

        await SendAsync(page, "Sse");
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('reconnecting')", null, new() { Timeout = Wait, PollingInterval = 5 });
        await page.ScreenshotAsync(new() { Path = ScreenshotPath(), FullPage = true });
        await Expect(page.Locator("#status")).ToHaveTextAsync(StatusTextOf.Done, new() { Timeout = Wait });

        var statuses = await page.EvaluateAsync<string[]>("window.__statuses");
        var reconnecting = Array.FindIndex(statuses, s => s.StartsWith("reconnecting in ", StringComparison.Ordinal));
        Assert.True(reconnecting > 0, "no reconnecting status: " + string.Join(" | ", statuses));
        Assert.Contains("receiving…", statuses[reconnecting..]);
        var renders = (await page.EvaluateAsync<string[]>("window.__answers")).Where(text => text.Length > 0).ToList();
        Assert.All(renders, text => Assert.StartsWith(text, DemoChatServer.Answer, StringComparison.Ordinal));
        Assert.True(renders.Count(text => text.Length < DemoChatServer.Answer.Length) >= 3, $"only {renders.Count} renders: the answer did not stream");

        // The server's side: dropped half-way, resumed after the last event the client had (Last-Event-ID: an abort
        // may lose the event written just before it, which is then sent again), finished.
        var events = host.EventsSince(since);
        Assert.Equal([DemoEventKind.Connected, DemoEventKind.Dropped, DemoEventKind.Connected, DemoEventKind.Finished], events.Select(e => e.Kind));
        Assert.Equal(DemoChatServer.DropAfterToken, events[1].TokensSent);
        Assert.InRange(events[2].TokensSent, 1, DemoChatServer.DropAfterToken);
        Assert.Equal(DemoChatServer.Tokens.Count, events[3].TokensSent);

        // Every token once, in order: nothing lost, nothing repeated.
        Assert.Equal(DemoChatServer.Answer, await page.Locator("#answer").TextContentAsync());
        await page.Context.CloseAsync();
    }

    [ChromiumTheory]
    [InlineData("Sse")]
    [InlineData("Fetch")]
    [InlineData("WebSocket")]
    public async Task ChatPage_StopMidAnswer_AbortsTheRequestWithinASecondAndSaysStopped(string transport)
    {
        var page = await OpenAsync();
        var since = DateTimeOffset.UtcNow;
        await SendAsync(page, transport);

        // Stop in the middle: for SSE after the drop and the resume, so that a connection is open to be aborted.
        var resumed = string.Concat(DemoChatServer.Tokens.Take(DemoChatServer.DropAfterToken + 3)).Length;
        await page.WaitForFunctionAsync(
            "([sse, length]) => (!sse || window.__statuses.some(s => s.startsWith('reconnecting'))) && document.getElementById('answer').textContent.length > length",
            new object[] { transport == "Sse", transport == "Sse" ? resumed : 30 },
            new() { Timeout = Wait, PollingInterval = 10 });
        var conversation = host.EventsSince(since).Last(e => e.Kind == DemoEventKind.Connected).Conversation;
        var left = host.NextEventAsync(e => e.Conversation == conversation && e.Kind is DemoEventKind.ClientLeft or DemoEventKind.Finished, ChatAppHost.Patience);
        var clock = Stopwatch.StartNew();
        await page.ClickAsync("#stop");
        var gone = await Explained(left, page, since);
        var elapsed = clock.Elapsed;

        Assert.Equal(DemoEventKind.ClientLeft, gone.Kind);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the server saw the client leave after {elapsed.TotalMilliseconds:0} ms");
        await Expect(page.Locator("#status")).ToHaveTextAsync("stopped", new() { Timeout = Wait });
        var shown = await page.Locator("#answer").TextContentAsync();
        Assert.StartsWith(shown!, DemoChatServer.Answer, StringComparison.Ordinal);
        Assert.True(shown!.Length < DemoChatServer.Answer.Length);
        await page.Context.CloseAsync();
    }

    [ChromiumTheory]
    [InlineData("Fetch", "refresh")]
    [InlineData("WebSocket", "away")]
    [InlineData("Sse", "link")]
    public async Task ChatPage_LeftMidAnswer_DisposesTheStreamAndTheServerSeesTheClientLeave(string transport, string how)
    {
        var page = await OpenAsync();
        var since = DateTimeOffset.UtcNow;
        await SendAsync(page, transport);
        await page.WaitForFunctionAsync("() => document.getElementById('answer').textContent.length > 30", null, new() { Timeout = Wait, PollingInterval = 10 });
        var conversation = host.EventsSince(since).Last(e => e.Kind == DemoEventKind.Connected).Conversation;
        var left = host.NextEventAsync(e => e.Conversation == conversation && e.Kind is DemoEventKind.ClientLeft or DemoEventKind.Finished, ChatAppHost.Patience);

        switch (how)
        {
            case "refresh":
                await page.ReloadAsync();
                break;
            case "away":
                await page.GotoAsync("about:blank");
                break;
            default:
                await page.ClickAsync("#about");
                await Expect(page.Locator("h1")).ToHaveTextAsync("About", new() { Timeout = Wait });
                break;
        }

        Assert.Equal(DemoEventKind.ClientLeft, (await Explained(left, page, since)).Kind);
        await page.Context.CloseAsync();
    }

    // A wait for the server that times out says what the server and the page had seen.
    private async Task<DemoEvent> Explained(Task<DemoEvent> wait, IPage page, DateTimeOffset since)
    {
        try
        {
            return await wait;
        }
        catch (TimeoutException e)
        {
            var statuses = page.IsClosed ? [] : await page.EvaluateAsync<string[]>("window.__statuses ?? []");
            throw new TimeoutException(
                $"The server did not see the client leave. Server: {string.Join("; ", host.EventsSince(since))}. Page statuses: {string.Join(" | ", statuses)}",
                e);
        }
    }

    // docs/chat.png in the repository, for the README.
    private static string ScreenshotPath()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "chat.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RxStream.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RxStream.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task SendAsync(IPage page, string transport)
    {
        await page.SelectOptionAsync("#transport", transport);
        await page.ClickAsync("#send");
    }

    private async Task<IPage> OpenAsync()
    {
        var context = await host.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 900, Height = 560 } });
        context.SetDefaultTimeout(Wait);
        await context.AddInitScriptAsync(Recorder);
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.Address.ToString());

        // Before the circuit is up, the page is prerendered HTML and Send is disabled.
        await Expect(page.Locator("form[data-interactive=yes] #send")).ToBeEnabledAsync(new() { Timeout = Wait });
        return page;
    }

    private static class StatusTextOf
    {
        public const string Done = "done";
    }
}
