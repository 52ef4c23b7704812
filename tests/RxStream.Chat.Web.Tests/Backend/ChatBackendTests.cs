using System.Net;
using System.Reactive;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RxStream.Chat.Web.Backend;
using RxStream.Resilience;

namespace RxStream.Chat.Web.Tests.Backend;

/// <summary>The OpenAI-compatible transport against a scripted chat completions server on Kestrel at 127.0.0.1.</summary>
public sealed class ChatBackendTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource<(string? Authorization, string Body)> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _server = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapPost("/v1/chat/completions", async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            _request.TrySetResult((context.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
            context.Response.ContentType = "text/event-stream";
            foreach (var delta in new[] { "{\"role\":\"assistant\"}", "{\"content\":\"Hé\"}", "{\"content\":\"llo \"}", "{\"content\":\"wörld\"}" })
            {
                await context.Response.WriteAsync($"data: {{\"choices\":[{{\"index\":0,\"delta\":{delta}}}]}}\n\n");
                await context.Response.Body.FlushAsync();
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
            await context.Response.Body.FlushAsync();

            // Open after [DONE], as such servers may be: the client stops at the sentinel. Bounded either way.
            await Task.Delay(Patience, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await _server.StartAsync();
        _address = new Uri(_server.Urls.Single() + "/v1/");
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Transports_NoOpenAiEndpoint_AreTheDemosThree()
    {
        using var client = new HttpClient();

        var backend = new ChatBackend(client, _server.Services.GetRequiredService<IServer>(), Options.Create(new OpenAiOptions()));

        Assert.Equal([ChatTransport.Sse, ChatTransport.Fetch, ChatTransport.WebSocket], backend.Transports);
    }

    [Fact]
    public async Task Answer_OpenAiCompatibleEndpoint_PostsTheKeyAndPromptAndStreamsTheDeltasUntilDone()
    {
        using var client = new HttpClient(StreamObservable.CreateHttpHandler());
        var backend = new ChatBackend(
            client,
            _server.Services.GetRequiredService<IServer>(),
            Options.Create(new OpenAiOptions { Endpoint = _address, ApiKey = "test-key", Model = "tiny" }));
        var statuses = new List<ConnectionStatus>();

        var pieces = await backend.Answer(ChatTransport.OpenAi, "Say hi", Observer.Create<ConnectionStatus>(statuses.Add)).ToList().ToTask().WaitAsync(Patience);

        Assert.Equal(ChatTransport.OpenAi, backend.Transports[0]);
        Assert.Equal("Héllo wörld", string.Concat(pieces));
        var (authorization, body) = await _request.Task.WaitAsync(Patience);
        Assert.Equal("Bearer test-key", authorization);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("tiny", json.RootElement.GetProperty("model").GetString());
        Assert.True(json.RootElement.GetProperty("stream").GetBoolean());
        Assert.Equal("Say hi", json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.IsType<ConnectionStatus.Open>(Assert.Single(statuses));
    }
}
