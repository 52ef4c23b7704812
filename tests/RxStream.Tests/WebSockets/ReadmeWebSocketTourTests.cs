using System.Net.WebSockets;
using System.Reactive;
using System.Reactive.Linq;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Resilience;
using RxStream.Tests.Testing;

namespace RxStream.Tests.WebSockets;

/// <summary>Runs the logic of the README tour's WebSocket snippet (number 4) against a loopback chat server.</summary>
public sealed class ReadmeWebSocketTourTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app => app.Map("/chat", async (HttpContext context) =>
        {
            // An LLM-style chat socket: one prompt in, JSON deltas out, then "[DONE]"; it waits for the client's close.
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            var prompt = await socket.ReceiveAsync(buffer, context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(10));
            var text = Encoding.UTF8.GetString(buffer, 0, prompt.Count);
            foreach (var piece in new[] { "you said ", text })
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"content":"{{piece}}"}"""), WebSocketMessageType.Text, true, context.RequestAborted);
            }

            await socket.SendAsync("[DONE]"u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
            await socket.ReceiveAsync(buffer, context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(10));
        }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Readme_WebSocketSnippet_RunsTwentyTimesAgainstALoopbackServer()
    {
        var url = new Uri("ws" + _server.Url("/chat").ToString()["http".Length..]);
        for (var run = 0; run < 20; run++)
        {
            var written = new StringBuilder();
            var errors = new StringBuilder();
            var statuses = new List<ConnectionStatus>();
            var statusLine = Observer.Create<ConnectionStatus>(status => { lock (statuses) statuses.Add(status); });
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // The snippet, with Console.Write and Console.Error.WriteLine recorded instead of printed.
            var socket = StreamObservable.WebSocket(url);
            using (var subscription = socket.Reconnect(new ReconnectOptions { Status = statusLine })
                .TakeUntilSentinel(message => message.GetString() == "[DONE]")
                .DeserializeJson(ReadmeJson.Default.ChatDelta)
                .Finally(ended.SetResult)
                .Subscribe(delta => written.Append(delta.Content), error => errors.AppendLine(error.Message)))
            {
                await socket.SendAsync("hello");
                await ended.Task.WaitAsync(AsyncObserver<ChatDelta>.Patience);
            }

            Assert.Equal(string.Empty, errors.ToString());
            Assert.Equal("you said hello", written.ToString());
            lock (statuses)
            {
                Assert.Contains(statuses, status => status is ConnectionStatus.Open { Attempt: 1 });
            }
        }

        await _server.WaitUntilIdleAsync(TimeSpan.FromSeconds(10));
    }
}

public sealed record ChatDelta(string Content);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChatDelta))]
public sealed partial class ReadmeJson : JsonSerializerContext;
