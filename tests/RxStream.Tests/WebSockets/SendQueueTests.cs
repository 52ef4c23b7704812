using RxStream.Tests.Testing;
using RxStream.WebSockets;

namespace RxStream.Tests.WebSockets;

public sealed class SendQueueTests
{
    private readonly TestScheduler _scheduler = new();
    private readonly List<string> _sent = [];

    [Fact]
    public async Task RunAsync_SendCancelledWhileWaiting_ThrowsAndPassesItsTurnOnOnlyAfterTheSendBefore()
    {
        var queue = new SendQueue();
        var firstMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        using var firstDeadline = Deadline(Timeout.InfiniteTimeSpan);
        using var secondDeadline = Deadline(Timeout.InfiniteTimeSpan, cancel.Token);
        using var thirdDeadline = Deadline(Timeout.InfiniteTimeSpan);

        var first = queue.RunAsync(async _ => { await firstMayGo.Task; await Sent("first"); }, firstDeadline);
        var second = queue.RunAsync(_ => Sent("second"), secondDeadline);
        var third = queue.RunAsync(_ => Sent("third"), thirdDeadline);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(AsyncObserver<string>.Patience));
        Assert.False(third.IsCompleted);
        firstMayGo.SetResult();
        await Task.WhenAll(first, third).WaitAsync(AsyncObserver<string>.Patience);
        Assert.Equal(["first", "third"], _sent);
    }

    [Fact]
    public async Task RunAsync_TurnNotReachedWithinTheTimeout_FailsTypedAtTheTimeoutOnTheScheduler()
    {
        var queue = new SendQueue();
        var firstMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var firstDeadline = Deadline(Timeout.InfiniteTimeSpan);
        using var secondDeadline = Deadline(TimeSpan.FromSeconds(5));

        var first = queue.RunAsync(async _ => { await firstMayGo.Task; await Sent("first"); }, firstDeadline);
        var second = queue.RunAsync(_ => Sent("second"), secondDeadline);
        _scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks - 1);
        Assert.False(second.IsCompleted);
        _scheduler.AdvanceBy(1);

        var error = await Assert.ThrowsAsync<WebSocketNotOpenException>(() => second.WaitAsync(AsyncObserver<string>.Patience));
        Assert.Contains("(5 s)", error.Message, StringComparison.Ordinal);
        firstMayGo.SetResult();
        await first.WaitAsync(AsyncObserver<string>.Patience);
        Assert.Equal(["first"], _sent);
    }

    private SendDeadline Deadline(TimeSpan timeout, CancellationToken cancellationToken = default) => new(timeout, _scheduler, cancellationToken);

    private Task Sent(string name)
    {
        lock (_sent)
        {
            _sent.Add(name);
        }

        return Task.CompletedTask;
    }
}
