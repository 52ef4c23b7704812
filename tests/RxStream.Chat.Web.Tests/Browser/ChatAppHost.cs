using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using RxStream.Chat.Web.Backend;

namespace RxStream.Chat.Web.Tests.Browser;

/// <summary>Hosts the chat app in the test process on 127.0.0.1 at a free port, and one headless Chromium that the tests open pages in.</summary>
public sealed class ChatAppHost : IAsyncLifetime
{
    // Every wait in the browser tests is bounded by this or less.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private WebApplication? _app;
    private IPlaywright? _playwright;

    public Uri Address { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public DemoChatServer Server => _app!.Services.GetRequiredService<DemoChatServer>();

    public async Task InitializeAsync()
    {
        if (Chromium.Path is null)
        {
            return;
        }

        _app = ChatApp.Build(["--Chat:Port=0", "--Chat:Demo:TokenIntervalMilliseconds=20"], builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
        Address = ChatApp.Address(_app);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.Path, Headless = true, Timeout = (float)Patience.TotalMilliseconds });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    /// <summary>Returns the server's events from <paramref name="since"/> on, in order.</summary>
    public IReadOnlyList<DemoEvent> EventsSince(DateTimeOffset since)
    {
        var events = new List<DemoEvent>();
        Server.Events.Where(e => e.At >= since).Subscribe(events.Add).Dispose();
        return events;
    }

    /// <summary>Waits (bounded) for the first server event that matches, replayed or to come.</summary>
    public Task<DemoEvent> NextEventAsync(Func<DemoEvent, bool> match, TimeSpan timeout) =>
        Server.Events.Where(match).FirstAsync().Timeout(timeout).ToTask();
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChatAppHost>
{
    public const string Name = "browser";
}
