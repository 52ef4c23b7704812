using System.Buffers;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Benchmarks.Http;

namespace RxStream.Benchmarks.WebSockets;

/// <summary>Receives a burst of messages from Kestrel's <c>UseWebSockets</c> on loopback with <c>StreamObservable.WebSocket</c> and with a raw <c>ClientWebSocket</c> loop.</summary>
/// <remarks>
/// Two shapes: 100,000 small text messages (a token stream) and 2,000 binary messages of 64 KiB (larger than one
/// 16 KiB receive, so each arrives in four parts). The server sends them, then closes with 1000; both clients answer
/// the close and count whole messages.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn] // The in-process server shares the cores with the client: the median resists the outliers that sharing makes.
public class WebSocketBenchmarks
{
    private const int SmallMessageSize = 50;
    private const int SmallMessageCount = 100_000;
    private const int LargeMessageSize = 64 * 1024;
    private const int LargeMessageCount = 2_000;

    private LoopbackHost _host = null!;
    private Uri _url = null!;
    private byte[] _buffer = null!;

    /// <summary>Gets or sets the size of each message: 50 B text messages (100,000 of them) or 64 KiB binary ones (2,000).</summary>
    [Params(SmallMessageSize, LargeMessageSize)]
    public int MessageSize { get; set; }

    private int MessageCount => MessageSize == SmallMessageSize ? SmallMessageCount : LargeMessageCount;

    [GlobalSetup]
    public void Setup()
    {
        var type = MessageSize == SmallMessageSize ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        var message = Corpus.ChatText(MessageSize);
        var count = MessageCount;
        _host = LoopbackHost.Start(app => app.Map("/messages", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            for (var i = 0; i < count; i++)
            {
                await socket.SendAsync(message, type, endOfMessage: true, context.RequestAborted);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        }));
        _url = new UriBuilder(_host.Url("/messages")) { Scheme = "ws" }.Uri;
        _buffer = new byte[StreamObservable.DefaultBufferSize];
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Receives as a hand-written client does: one buffer, a <c>ReceiveAsync</c> loop, the close answered.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> RawReceiveLoop()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(_url, CancellationToken.None);
        long messages = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return Checked(messages);
            }

            messages += result.EndOfMessage ? 1 : 0;
        }
    }

    /// <summary>Receives as a hand-written client that keeps each message must: assembled, then copied into an array of its own.</summary>
    /// <remarks>Not the target, a reference: it prices the ownership rule (a chunk stays valid after <c>OnNext</c>) on its own.</remarks>
    [Benchmark]
    public async Task<long> RawReceiveLoopKeepingCopies()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(_url, CancellationToken.None);
        var message = new ArrayBufferWriter<byte>();
        long messages = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return Checked(messages);
            }

            if (result.EndOfMessage && message.WrittenCount == 0)
            {
                messages += _buffer.AsSpan(0, result.Count).ToArray().Length == MessageSize ? 1 : 0;
                continue;
            }

            message.Write(_buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                messages += message.WrittenSpan.ToArray().Length == MessageSize ? 1 : 0;
                message.ResetWrittenCount();
            }
        }
    }

    /// <summary>Receives the same messages through <c>StreamObservable.WebSocket</c>, one chunk per message.</summary>
    [Benchmark]
    public Task<long> WebSocketConnection()
    {
        var counter = new MessageCounter(this);
        StreamObservable.WebSocket(_url).Subscribe(counter);
        return counter.Messages;
    }

    private long Checked(long messages) =>
        messages == MessageCount ? messages : throw new InvalidOperationException($"Expected {MessageCount} messages, got {messages}.");

    private sealed class MessageCounter(WebSocketBenchmarks owner) : IObserver<Chunk>
    {
        private readonly TaskCompletionSource<long> _messages = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count;
        private long _bytes;

        public Task<long> Messages => _messages.Task;

        public void OnNext(Chunk value)
        {
            _count++;
            _bytes += value.Length;
        }

        public void OnError(Exception error) => _messages.TrySetException(error);

        public void OnCompleted()
        {
            try
            {
                _messages.TrySetResult(_bytes == _count * owner.MessageSize ? owner.Checked(_count) : throw new InvalidOperationException($"Expected {owner.MessageSize} B per message."));
            }
            catch (InvalidOperationException error)
            {
                _messages.TrySetException(error);
            }
        }
    }
}
