using System.Net.WebSockets;
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
}
