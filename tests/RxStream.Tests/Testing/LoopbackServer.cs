using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RxStream.Tests.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 at a free port, for integration tests; counts the requests in flight.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _openRequests;
    private TaskCompletionSource _drained = NewCompletedSignal();

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>The server's base address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests the server is handling right now.</summary>
    public int OpenRequests => Volatile.Read(ref _openRequests);

    /// <summary>Starts a server whose endpoints <paramref name="map"/> adds.</summary>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Use(server.CountAsync);
        app.UseWebSockets();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>The absolute address of <paramref name="path"/> on this server.</summary>
    public Uri Url(string path) => new(BaseAddress, path.TrimStart('/'));

    /// <summary>Completes when no request is in flight, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilIdleAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (OpenRequests != 0)
        {
            // The signal is completed when the count falls to zero and replaced when it rises from zero, so a
            // stale (completed) one only sends us round the loop again.
            await Volatile.Read(ref _drained).Task.WaitAsync(deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource NewCompletedSignal()
    {
        var signal = NewSignal();
        signal.SetResult();
        return signal;
    }

    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        if (Interlocked.Increment(ref _openRequests) == 1 && Volatile.Read(ref _drained).Task.IsCompleted)
        {
            Interlocked.Exchange(ref _drained, NewSignal());
        }

        try
        {
            await next(context);
        }
        finally
        {
            if (Interlocked.Decrement(ref _openRequests) == 0)
            {
                Volatile.Read(ref _drained).TrySetResult();
            }
        }
    }
}
