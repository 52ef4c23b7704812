using System.Reactive.Linq;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Text;

public class AsyncEnumerableBridgeTests
{
    [Fact]
    public async Task AwaitForeach_LeavingTheLoopEarly_DisposesTheSubscription()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = Observable.Create<Chunk>(observer =>
        {
            observer.OnNext(Chunk.FromString("first"));
            observer.OnNext(Chunk.FromString("second"));
            return () => disposed.TrySetResult();
        });

        await foreach (var text in source.DecodeUtf8().ToAsyncEnumerable())
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
