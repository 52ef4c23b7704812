using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using RxStream.Testing;
using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.WebSockets;

/// <summary>Close frames a server must not send (RFC 6455 sections 5.5.1 and 7.4), and what the client reports for them.</summary>
public sealed class WebSocketCloseFrameTests
{
    private static readonly Uri Address = new("ws://chat.test/socket");

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    public async Task WebSocket_ServerClosesWithAReservedOrUndefinedCode_FailsTheConnectionWith1002(int code)
    {
        var scheduler = new TestScheduler();
        using var server = new ScriptedWebSocketHandler(scheduler).Enqueue(WebSocketScript.Accept().Close(TimeSpan.FromMilliseconds(5), (WebSocketCloseStatus)code, "bad"));
        using var invoker = new HttpMessageInvoker(server);
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(Address, new WebSocketConnectOptions { Invoker = invoker, Scheduler = scheduler }).Subscribe(observer);
        var connection = await server.WaitForConnectionAsync();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1).Ticks);

        var error = await observer.Terminal.WaitAsync(AsyncObserver<Chunk>.Patience);
        var closed = Assert.IsType<WebSocketClosedException>(error);
        Assert.Equal((WebSocketCloseStatus.ProtocolError, true), (closed.CloseStatus, closed.IsClosedByClient));
        Assert.Contains("1002", closed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("UTF-8", closed.Message, StringComparison.Ordinal);
        Assert.False(closed.IsTransient);
        Assert.Equal(WebSocketCloseStatus.ProtocolError, connection.ClientCloseStatus);
    }

    [Theory]
    [InlineData("03", "a malformed close frame")]
    [InlineData("03e8ff", "a close frame whose reason is not valid UTF-8")]
    public async Task WebSocket_ServerSendsARawMalformedCloseBody_FailsTheConnectionWith1002(string body, string reported)
    {
        var clientClosed = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app => app.Map("/raw", (HttpContext context) => CloseWithRawBodyAsync(context, Convert.FromHexString(body), clientClosed)));
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.WebSocket(new Uri("ws" + server.Url("/raw").ToString()[4..])).Subscribe(observer);

        var closed = await observer.FailedAsync<WebSocketClosedException>();
        Assert.Equal((WebSocketCloseStatus.ProtocolError, true, false), (closed.CloseStatus, closed.IsClosedByClient, closed.IsTransient));
        Assert.Contains("1002", closed.Message, StringComparison.Ordinal);
        Assert.Contains(reported, closed.Message, StringComparison.Ordinal);
        Assert.Equal(1002, await clientClosed.Task.WaitAsync(AsyncObserver<Chunk>.Patience));
    }

    // Accepts the upgrade by hand and writes one close frame with the given body as raw bytes (a server-side WebSocket
    // refuses to send a malformed one), then reads the client's close frame: one read, bounded in time.
    private static async Task CloseWithRawBodyAsync(HttpContext context, byte[] body, TaskCompletionSource<int?> clientClosed)
    {
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers["Sec-WebSocket-Accept"] = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await using var stream = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        await stream.WriteAsync((byte[])[0x88, (byte)body.Length, .. body]);
        await stream.FlushAsync();

        using var patience = new CancellationTokenSource(AsyncObserver<Chunk>.Patience);
        var frame = new byte[2 + 4 + 125];
        try
        {
            // The client's frame is masked: two header bytes, the 4-byte key, then the status, XORed with the key.
            var read = await stream.ReadAtLeastAsync(frame, 8, throwOnEndOfStream: false, patience.Token);
            clientClosed.TrySetResult(read >= 8 && (frame[0] & 0x0F) == 0x8
                ? BinaryPrimitives.ReadUInt16BigEndian([(byte)(frame[6] ^ frame[2]), (byte)(frame[7] ^ frame[3])])
                : null);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            clientClosed.TrySetResult(null);
        }
    }
}
