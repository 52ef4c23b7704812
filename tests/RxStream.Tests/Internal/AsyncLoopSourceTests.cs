using System.Reactive;
using System.Reactive.Linq;
using RxStream.Internal;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Internal;

[Collection(ObserverFaultCollection.Name)]
public sealed class AsyncLoopSourceTests
{
    [Fact]
    public void Subscribe_NullObserver_ThrowsForObserver()
    {
        var source = new ScriptedSource((_, _) => Task.CompletedTask);
        Assert.Equal("observer", Assert.Throws<ArgumentNullException>(() => source.Subscribe(null!)).ParamName);
    }

    [Fact]
    public void Subscribe_CallerWithASynchronizationContext_RunsTheProducerInlineOutsideItAndRestoresIt()
    {
        var caller = new RecordingContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(caller);
        try
        {
            var thread = Environment.CurrentManagedThreadId;
            var seen = new List<(int Thread, SynchronizationContext? Context)>();
            var source = new ScriptedSource((emitter, _) =>
            {
                seen.Add((Environment.CurrentManagedThreadId, SynchronizationContext.Current));
                emitter.Next(1);
                return Task.CompletedTask;
            });
            var observer = new RecordingObserver();

            using var subscription = source.Subscribe(observer);

            // Ran to its end before Subscribe returned, on this thread, without the caller's context (so no continuation
            // of a producer is ever posted to it); the caller gets its context back.
            Assert.Equal([(thread, (SynchronizationContext?)null)], seen);
            Assert.Equal(["OnNext(1)", "OnCompleted"], observer.Calls);
            Assert.Same(caller, SynchronizationContext.Current);
            Assert.Equal(0, caller.Posts);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    [Fact]
    public void Subscribe_CallerWithoutASynchronizationContext_RunsTheProducerInline()
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            var thread = Environment.CurrentManagedThreadId;
            var seen = new List<int>();
            var source = new ScriptedSource((emitter, _) =>
            {
                seen.Add(Environment.CurrentManagedThreadId);
                emitter.Next(1);
                return Task.CompletedTask;
            });
            var observer = new RecordingObserver();

            using var subscription = source.Subscribe(observer);

            Assert.Equal([thread], seen);
            Assert.Equal(["OnNext(1)", "OnCompleted"], observer.Calls);
            Assert.Null(SynchronizationContext.Current);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    [Fact]
    public async Task Complete_ObserverThrowsFromOnCompleted_ReportedUnhandledNotLost()
    {
        using var faults = new ObserverFaultCapture();
        var bug = new InvalidOperationException("the subscriber's OnCompleted bug");
        var source = new ScriptedSource((emitter, _) =>
        {
            emitter.Next(1);
            return Task.CompletedTask;
        });

        using var subscription = source.Subscribe(Observer.Create<int>(_ => { }, _ => { }, () => throw bug));

        Assert.Same(bug, await faults.Fault.WaitAsync(AsyncObserver<int>.Patience));
    }

    [Fact]
    public async Task Fail_ObserverThrowsFromOnError_ReportedUnhandledNotLost()
    {
        using var faults = new ObserverFaultCapture();
        var bug = new InvalidOperationException("the subscriber's OnError bug");
        var source = new ScriptedSource((_, _) => throw new IOException("the stream broke"));

        using var subscription = source.Subscribe(Observer.Create<int>(_ => { }, _ => throw bug, () => { }));

        Assert.Same(bug, await faults.Fault.WaitAsync(AsyncObserver<int>.Patience));
    }

    [Fact]
    public async Task Fail_ObserverWithoutOnError_StreamErrorReportedUnhandledNotLeftInATask()
    {
        using var faults = new ObserverFaultCapture();
        var error = new IOException("the stream broke");
        var source = new ScriptedSource((_, _) => throw error);

        // Rx's Subscribe(onNext) rethrows the error: nobody handles it, so it must surface as unhandled, as on an Rx scheduler.
        using var subscription = source.Subscribe(_ => { });

        Assert.Same(error, await faults.Fault.WaitAsync(AsyncObserver<int>.Patience));
    }

    [Fact]
    public async Task Next_ProducerFinallyThrowsWhileTheObserverFaultUnwinds_ObserverFaultStillReported()
    {
        using var faults = new ObserverFaultCapture();
        var bug = new InvalidOperationException("the subscriber's OnNext bug");
        var source = new ScriptedSource((emitter, _) =>
        {
            try
            {
                emitter.Next(1);
            }
            finally
            {
                // A producer's cleanup that fails as the observer's exception passes through it.
                throw new IOException("the connection's cleanup failed");
            }
        });
        var observer = new AsyncObserver<int> { OnNextHook = _ => throw bug };

        using var subscription = source.Subscribe(observer);

        Assert.Same(bug, await faults.Fault.WaitAsync(AsyncObserver<int>.Patience));
        Assert.False(observer.IsTerminated);
    }

    [Fact]
    public void Emitter_DisposeThenComplete_NoTerminalAndTokenCancelled()
    {
        var observer = new RecordingObserver();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);

        emitter.Dispose();
        emitter.Complete();
        emitter.Fail(new IOException());

        Assert.Empty(observer.Calls);
        Assert.True(emitter.Token.IsCancellationRequested);
        Assert.True(emitter.IsStopped);
    }

    [Fact]
    public void Emitter_CompleteThenDispose_OneTerminalAndTokenNotCancelled()
    {
        var observer = new RecordingObserver();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);

        emitter.Next(1);
        emitter.Complete();
        emitter.Next(2);
        emitter.Dispose();
        emitter.Fail(new IOException());

        // An item after the end is dropped without a word: the token was not cancelled, so nothing asks the producer to unwind.
        Assert.Equal(["OnNext(1)", "OnCompleted"], observer.Calls);
        Assert.False(emitter.Token.IsCancellationRequested);
    }

    [Fact]
    public void Emitter_FailThenDispose_OneTerminal()
    {
        var observer = new RecordingObserver();
        var emitter = new AsyncLoopSource<int>.Emitter(observer);

        emitter.Fail(new IOException("broke"));
        emitter.Dispose();
        emitter.Complete();

        Assert.Equal(["OnError(broke)"], observer.Calls);
    }

    [Fact]
    public void Emitter_DisposedInsideOnNext_NextAfterItThrowsCancellation()
    {
        var emitter = default(AsyncLoopSource<int>.Emitter);
        var observer = new RecordingObserver { OnNextHook = () => emitter!.Dispose() };
        emitter = new AsyncLoopSource<int>.Emitter(observer);

        emitter.Next(1);

        Assert.Throws<OperationCanceledException>(() => emitter.Next(2));
        emitter.Complete();
        Assert.Equal(["OnNext(1)"], observer.Calls);
    }

    [Fact]
    public void Emitter_ObserverThrowsFromOnNext_StopsAndKeepsTheFault()
    {
        var bug = new InvalidOperationException("bug");
        var observer = new RecordingObserver { OnNextHook = () => throw bug };
        var emitter = new AsyncLoopSource<int>.Emitter(observer);

        var carrier = Assert.ThrowsAny<Exception>(() => emitter.Next(1));

        Assert.Same(bug, carrier.InnerException);
        Assert.True(emitter.IsStopped);
        Assert.Same(bug, emitter.TakeObserverFault());
        Assert.Null(emitter.TakeObserverFault());
        emitter.Complete();
        Assert.Equal(["OnNext(1)"], observer.Calls);
    }

    private sealed class ScriptedSource(Func<AsyncLoopSource<int>.Emitter, CancellationToken, Task> run) : AsyncLoopSource<int>
    {
        protected override Task RunAsync(Emitter emitter, CancellationToken cancellationToken) => run(emitter, cancellationToken);
    }

    // A caller's context (a UI thread's, say) that counts what is posted to it and runs nothing.
    private sealed class RecordingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);

        public override void Send(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);
    }

    private sealed class RecordingObserver : IObserver<int>
    {
        public List<string> Calls { get; } = [];

        public Action? OnNextHook { get; init; }

        public void OnNext(int value)
        {
            Calls.Add($"OnNext({value})");
            OnNextHook?.Invoke();
        }

        public void OnError(Exception error) => Calls.Add($"OnError({error.Message})");

        public void OnCompleted() => Calls.Add("OnCompleted");
    }
}
