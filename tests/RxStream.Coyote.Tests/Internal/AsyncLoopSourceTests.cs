using Microsoft.Coyote.Specifications;
using RxStream.Coyote.Tests.Testing;
using RxStream.Internal;
using Xunit.Abstractions;

namespace RxStream.Coyote.Tests.Internal;

/// <summary>Races <see cref="AsyncLoopSource{T}.Emitter"/>'s disposal against its items and terminals, each on a task Coyote schedules.</summary>
public sealed class AsyncLoopSourceTests(ITestOutputHelper output)
{
    [Fact]
    public void Emitter_DisposeRacesItemsAndComplete_EndsExactlyOnce() => Interleavings.AssertNoBug(async () =>
    {
        var observer = new CheckingObserver<int>();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);
        var producer = Task.Run(() => Produce(emitter, static e => e.Complete()));
        var disposer = Task.Run(emitter.Dispose);
        await Interleavings.JoinAsync(producer, disposer);

        AssertGrammar(observer);

        // Disposal cancels the token only when it stopped the subscription itself; otherwise Complete did, and told the observer.
        Specification.Assert(observer.Completions + (emitter.Token.IsCancellationRequested ? 1 : 0) == 1, $"completions {observer.Completions}, cancelled {emitter.Token.IsCancellationRequested}: not exactly one end");
    }, output);

    [Fact]
    public void Emitter_DisposeRacesItemsAndFail_EndsExactlyOnce() => Interleavings.AssertNoBug(async () =>
    {
        var observer = new CheckingObserver<int>();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);
        var producer = Task.Run(() => Produce(emitter, static e => e.Fail(new IOException("dropped"))));
        var disposer = Task.Run(emitter.Dispose);
        await Interleavings.JoinAsync(producer, disposer);

        AssertGrammar(observer);
        Specification.Assert(observer.Errors + (emitter.Token.IsCancellationRequested ? 1 : 0) == 1, $"errors {observer.Errors}, cancelled {emitter.Token.IsCancellationRequested}: not exactly one end");
    }, output);

    [Fact]
    public void Emitter_DisposeCompleteAndFailRace_EndsExactlyOnce() => Interleavings.AssertNoBug(async () =>
    {
        var observer = new CheckingObserver<int>();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);
        var completer = Task.Run(emitter.Complete);
        var failer = Task.Run(() => emitter.Fail(new IOException("dropped")));
        var disposer = Task.Run(emitter.Dispose);
        var secondDisposer = Task.Run(emitter.Dispose);
        await Interleavings.JoinAsync(completer, failer, disposer, secondDisposer);

        AssertGrammar(observer);
        Specification.Assert(observer.Terminals + (emitter.Token.IsCancellationRequested ? 1 : 0) == 1, $"terminals {observer.Terminals}, cancelled {emitter.Token.IsCancellationRequested}: not exactly one end");
        Specification.Assert(emitter.IsStopped, "the emitter is not stopped after its end");
    }, output);

    // What a producer does: a few items, then its end; disposal surfaces as the cancellation it unwinds with.
    private static void Produce(AsyncLoopSource<int>.Emitter emitter, Action<AsyncLoopSource<int>.Emitter> end)
    {
        try
        {
            emitter.Next(1);
            emitter.Next(2);
        }
        catch (OperationCanceledException error)
        {
            emitter.Fail(error);
            return;
        }

        end(emitter);
    }

    private static void AssertGrammar(CheckingObserver<int> observer)
    {
        Specification.Assert(observer.Terminals <= 1, $"{observer.Terminals} terminal notifications");
        Specification.Assert(observer.ItemsAfterTerminal == 0, $"{observer.ItemsAfterTerminal} items after the terminal notification");
        Specification.Assert(observer.Overlaps == 0, $"{observer.Overlaps} overlapping observer calls");
    }
}
