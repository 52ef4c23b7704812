using System.Reactive.Linq;
using RxStream.Tests.Testing;

namespace RxStream.Tests;

public class AsyncEnumerableBridgeTests
{
    [Fact]
    public void AsAsyncEnumerable_BadArguments_ThrowAtTheCall()
    {
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => StreamObservable.AsAsyncEnumerable<int>(null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncEnumerableOptions { MaxBufferedItems = 0 }).ParamName);
        Assert.Equal(4096, new AsyncEnumerableOptions().MaxBufferedItems);
    }

    [Fact]
    public async Task AsAsyncEnumerable_StreamFails_LoopThrowsAfterTheItemsBeforeTheError()
    {
        var seen = new List<string>();
        var source = Observable.Return(Chunk.FromString("before ")).Concat(Observable.Throw<Chunk>(new IOException("reset")));

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var text in source.DecodeUtf8().AsAsyncEnumerable())
            {
                seen.Add(text);
            }
        });

        Assert.Equal("reset", error.Message);
        Assert.Equal(["before "], seen);
    }

    [Fact]
    public async Task AsAsyncEnumerable_LoopFallsBehindTheLimit_DisposesTheSubscriptionAndThrowsAfterTheHeldItems()
    {
        var disposed = false;
        var source = Observable.Create<int>(observer =>
        {
            // Pushed synchronously at subscription, before the loop can take any: the fourth does not fit in three.
            for (var i = 1; i <= 5; i++)
            {
                observer.OnNext(i);
            }

            return () => disposed = true;
        });
        var seen = new List<int>();

        var error = await Assert.ThrowsAsync<StreamLimitExceededException>(async () =>
        {
            await foreach (var item in source.AsAsyncEnumerable(new AsyncEnumerableOptions { MaxBufferedItems = 3 }))
            {
                seen.Add(item);
            }
        });

        Assert.Equal([1, 2, 3], seen);
        Assert.Equal(3, error.Limit);
        Assert.Equal(nameof(AsyncEnumerableOptions.MaxBufferedItems), error.LimitName);
        Assert.True(disposed);
    }

    [Fact]
    public async Task AsAsyncEnumerable_LeavingTheLoopEarly_DisposesTheSubscription()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = Observable.Create<Chunk>(observer =>
        {
            observer.OnNext(Chunk.FromString("first"));
            observer.OnNext(Chunk.FromString("second"));
            return () => disposed.TrySetResult();
        });

        await foreach (var text in source.DecodeUtf8().AsAsyncEnumerable())
        {
            Assert.Equal("first", text);
            break;
        }

        await disposed.Task.WaitAsync(AsyncObserver<Chunk>.Patience);
    }

    [Fact]
    public async Task ToObservable_FromAnAsyncEnumerable_FeedsTheOperators()
    {
        static async IAsyncEnumerable<Chunk> Chunks()
        {
            foreach (var piece in new[] { "text LL", "M-EOF tail" })
            {
                await Task.Yield();
                yield return Chunk.FromString(piece);
            }
        }

        var text = await Chunks().ToObservable().DecodeUtf8().TakeUntilSentinel("LLM-EOF").ToList();
        Assert.Equal("text ", string.Concat(text));
    }
}
