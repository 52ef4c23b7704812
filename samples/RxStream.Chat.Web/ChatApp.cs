using System.Net;
using System.Reactive.Concurrency;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RxStream.Chat.Web.Backend;
using RxStream.Chat.Web.Components;

namespace RxStream.Chat.Web;

/// <summary>Builds the chat application: the Blazor page, its services, and the embedded demo server, on 127.0.0.1 only.</summary>
public static class ChatApp
{
    /// <summary>Builds the application; configuration comes from <paramref name="args"/>, the environment and user secrets, as usual.</summary>
    /// <param name="args">Command-line arguments, such as <c>--Chat:Port=5180</c>.</param>
    /// <param name="configure">Changes the builder before the application is built (tests replace services here), or <see langword="null"/>.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // Named for this assembly even when a test process hosts it, so that its components and assets are found.
            ApplicationName = typeof(ChatApp).Assembly.GetName().Name,
        });

        // `dotnet run` and the tests run from the build output, where the framework's script (blazor.web.js) is found
        // through the build's static web assets manifest; ASP.NET Core reads it by itself in Development only. A
        // published app has no such manifest and serves the files from wwwroot.
        builder.WebHost.UseStaticWebAssets();

        // Loopback only: the page and its demo server are for this machine. Port 0 picks a free one.
        var port = builder.Configuration.GetValue("Chat:Port", 0);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.Configure<OpenAiOptions>(builder.Configuration.GetSection(OpenAiOptions.Section));
        builder.Services.AddSingleton(_ => new HttpClient(StreamObservable.CreateHttpHandler()));
        builder.Services.AddSingleton(_ => new DemoChatServer(
            TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Chat:Demo:TokenIntervalMilliseconds", 40)),
            TimeProvider.System));
        builder.Services.AddSingleton<IChatBackend, ChatBackend>();
        builder.Services.AddSingleton(new FrameSettings(
            TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Chat:FrameMilliseconds", 50)),
            DefaultScheduler.Instance));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.Services.GetRequiredService<DemoChatServer>().Map(app);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Gets the address a started application listens on.</summary>
    /// <param name="app">The started application.</param>
    /// <returns>The address, such as <c>http://127.0.0.1:5180/</c>.</returns>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
