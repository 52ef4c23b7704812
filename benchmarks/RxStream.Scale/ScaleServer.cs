using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RxStream.Scale;

/// <summary>The child process: Kestrel on 127.0.0.1 serving <see cref="EventFeed"/>, steered by one-line commands on stdin.</summary>
/// <remarks>
/// <para>It prints <c>port P frequency F</c> once listening. Commands: <c>clock</c> (answers <c>clock T</c>, its
/// <see cref="Stopwatch.GetTimestamp"/>), <c>count</c> (<c>count open total events</c>), <c>drain S</c> (waits up to S
/// seconds for no open stream, then <c>drained open</c>) and <c>quit</c>.</para>
/// <para>It stops by itself when stdin closes (the parent died) or after its lifetime, whichever comes first.</para>
/// </remarks>
internal static class ScaleServer
{
    public static async Task<int> RunAsync(ScaleOptions options)
    {
        var limit = FileDescriptorLimit.Raise(ScaleOptions.WantedFileDescriptors);
        var feed = new EventFeed();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
        });

        // Kestrel's default accept backlog is 512; the client ramps up in smaller batches, this is headroom.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = 2048);
        await using var app = builder.Build();
        app.MapGet("/events", feed.ServeAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        await Console.Out.WriteLineAsync($"port {address.Port} frequency {Stopwatch.Frequency} nofile {limit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
        await Console.Out.FlushAsync();

        // Reading stdin blocks a thread and ignores cancellation, so the lifetime races it rather than cancelling it.
        var commands = Task.Run(() => ServeCommandsAsync(feed));
        var lifetime = Task.Delay(options.ServerLifetime);
        if (await Task.WhenAny(commands, lifetime) == lifetime)
        {
            await Console.Error.WriteLineAsync($"server: lifetime of {options.ServerLifetime} reached, stopping.");
        }

        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(stopping.Token);
        return 0;
    }

    private static async Task ServeCommandsAsync(EventFeed feed)
    {
        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "clock":
                    await ReplyAsync($"clock {Stopwatch.GetTimestamp()}");
                    break;
                case "count":
                    await ReplyAsync($"count {feed.Open} {feed.Total} {feed.Events}");
                    break;
                case "drain":
                    var seconds = words.Length > 1 ? double.Parse(words[1], CultureInfo.InvariantCulture) : 30;
                    try
                    {
                        await feed.WhenIdle().WaitAsync(TimeSpan.FromSeconds(seconds));
                    }
                    catch (TimeoutException)
                    {
                        // Reported through the count that follows.
                    }

                    await ReplyAsync($"drained {feed.Open}");
                    break;
                case "quit":
                    return;
                default:
                    await ReplyAsync($"unknown {line}");
                    break;
            }
        }
    }

    private static async Task ReplyAsync(string line)
    {
        await Console.Out.WriteLineAsync(line);
        await Console.Out.FlushAsync();
    }
}
