using System.Net.WebSockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.WebSockets;

public sealed class MessageAssemblerTests : IAsyncLifetime
{
    private static readonly int[] MixedSizes = [50, 0, 16_383, 16_384, 16_385, 65_536, 65_536, 65_536, 3, 200_000, 40_000, 65_536, 1, 100_000, 100_000];

    private LoopbackServer _server = null!;
    private IReadOnlyList<int> _plan = [];
    private int _seed;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app => app.Map("/sized", async (HttpContext context) =>
        {
            // Sends each planned message, every third one cut into frames at random points (an empty frame included).
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var random = new Random(_seed);
            for (var i = 0; i < _plan.Count; i++)
            {
                var message = Message(i, _plan[i]);
                var type = i % 2 == 0 ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                var sent = 0;
                if (i % 3 == 2)
                {
                    await socket.SendAsync(ReadOnlyMemory<byte>.Empty, type, endOfMessage: false, context.RequestAborted);
                    while (message.Length - sent > 1)
                    {
                        var part = random.Next(1, message.Length - sent);
                        await socket.SendAsync(message.AsMemory(sent, part), type, endOfMessage: false, context.RequestAborted);
                        sent += part;
                    }
                }

                await socket.SendAsync(message.AsMemory(sent), type, endOfMessage: true, context.RequestAborted);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void MessageAssembler_LongMessage_IsHandedOverWhenItFillsItsArrayAndCopiedWhenItDoesNot()
    {
        var assembler = new MessageAssembler(receiveSize: 16, maxMessageSize: 1000);

        // A first part of 16 bytes without the end: the message gets an array of 32, and its second part fills it.
        assembler.Append(new byte[16]);
        var tail = assembler.NextTarget();
        Assert.Equal(16, tail.Length);
        tail.Span.Fill(7);
        assembler.Advance(16);
        var full = assembler.Complete(ChunkKind.Binary);
        Assert.True(MemoryMarshal.TryGetArray(full.Data, out var whole));
        Assert.Equal(32, whole.Array!.Length);

        // The next message is expected to be as long, so it lands in a new array of 32 from its first byte; five bytes
        // of it are copied out rather than keep 32 alive.
        var next = assembler.NextTarget();
        Assert.Equal(16, next.Length);
        Assert.True(MemoryMarshal.TryGetArray<byte>(next, out var fresh));
        Assert.NotSame(whole.Array, fresh.Array);
        next.Span[..5].Fill(9);
        assembler.Advance(5);
        var small = assembler.Complete(ChunkKind.Text);
        Assert.True(MemoryMarshal.TryGetArray(small.Data, out var exact));
        Assert.Equal(5, exact.Array!.Length);
        Assert.Equal(new byte[] { 9, 9, 9, 9, 9 }, small.Data.ToArray());
        Assert.Equal(16, full.Data.Span.Slice(16).Count((byte)7));

        // A short message resets the expectation: the next receive goes to the pooled buffer again.
        Assert.True(assembler.NextTarget().IsEmpty);
    }

    [Fact]
    public async Task WebSocket_MessagesOfMixedSizesAndFrames_EachArrivesWholeAndKeepsItsBytes()
    {
        _plan = [.. MixedSizes, .. MixedSizes.Reverse()];
        _seed = 7;
        var snapshots = new List<byte[]>();
        var observer = new AsyncObserver<Chunk> { OnNextHook = chunk => snapshots.Add(chunk.Data.ToArray()) };

        using var subscription = StreamObservable.WebSocket(Ws(), new WebSocketConnectOptions { ReceiveBufferSize = 4096 }).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(_plan.Count, chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(Message(i, _plan[i]), chunks[i].Data.ToArray());
            Assert.Equal(i % 2 == 0 ? ChunkKind.Binary : ChunkKind.Text, chunks[i].Kind);
            Assert.True(chunks[i].IsEndOfMessage);
        }

        // Every chunk still holds what it held when OnNext saw it, and no two chunks share a byte of memory.
        Assert.Equal(snapshots, chunks.Select(chunk => chunk.Data.ToArray()));
        var segments = chunks.Where(chunk => !chunk.IsEmpty).Select(chunk => MemoryMarshal.TryGetArray(chunk.Data, out var segment) ? segment : default);
        Assert.All(segments.GroupBy(segment => segment.Array), shared => Assert.Single(shared));
    }

    [Fact]
    public async Task WebSocket_LongMessageAtTheLimit_ArrivesAndOneByteMoreFailsTyped()
    {
        _plan = [10_000, 10_000, 10_001];
        _seed = 11;
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Ws(), new WebSocketConnectOptions { ReceiveBufferSize = 4096, MaxMessageSize = 10_000 }).Subscribe(observer);

        var error = await observer.FailedAsync<StreamLimitExceededException>();
        Assert.Equal(10_000, error.Limit);
        Assert.Equal([Message(0, 10_000), Message(1, 10_000)], observer.Values.Select(chunk => chunk.Data.ToArray()));
    }

    private static byte[] Message(int index, int size)
    {
        var message = new byte[size];
        for (var j = 0; j < size; j++)
        {
            // Printable ASCII, so that the text messages are valid UTF-8.
            message[j] = (byte)(' ' + (((index * 31) + j) % 95));
        }

        return message;
    }

    private Uri Ws() => new(_server.Url("/sized").ToString().Replace("http://", "ws://", StringComparison.Ordinal));
}
