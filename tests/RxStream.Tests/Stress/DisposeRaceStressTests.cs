using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;
using RxStream.Internal;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;
using Xunit.Abstractions;

namespace RxStream.Tests.Stress;

/// <summary>
/// Races disposal against every way a stream ends, ten thousand times over SSE, fetch and WebSocket, and counts what
/// must never happen: a notification after the terminal one, two terminals, two observer calls at once, an unobserved
/// task exception, an exception on the unhandled path.
/// </summary>
/// <remarks>
/// Each transport runs as its own phase, so that the process-wide counts (unobserved task exceptions, faults reported
/// unhandled) are attributed to it: a phase ends when its server is idle, then forced collections run the finalizers
/// that report unobserved task exceptions. Each race picks, from a seed, when to dispose: at once, after a yield,
/// after a spin of random length, from inside <c>OnNext</c>, or on another thread once the first item is in.
/// </remarks>
[Collection(ObserverFaultCollection.Name)]
public sealed class DisposeRaceStressTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Events = 4;
    private static readonly TimeSpan StallPatience = TimeSpan.FromSeconds(5);
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/sse", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/event-stream";
                var gap = context.Request.Query.ContainsKey("gap");
                for (var i = 0; i < Events; i++)
                {
                    await context.Response.WriteAsync($": beat\nretry: 1000\nid: {i}\ndata: event {i}\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    if (gap)
                    {
                        await Task.Delay(1, context.RequestAborted);
                    }
                }
            });
            app.MapGet("/ws", async (HttpContext context) =>
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                deadline.CancelAfter(TimeSpan.FromSeconds(5));
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                try
                {
                    for (var i = 0; i < Events; i++)
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"), WebSocketMessageType.Text, true, deadline.Token);
                    }

                    // The server ends the conversation, racing the client's disposal (which closes from its side).
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    // The client left first.
                }
            });
        });
        _client = new HttpClient(StreamObservable.CreateHttpHandler());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task DisposeRacesEveryEnd_TenThousandTimesOverEachTransport_NothingBreaksTheGrammarOrEscapes()
    {
        var phases = new (string Name, int Races, Func<int, RaceState, IObservable<object>> Create, bool Loopback)[]
        {
            ("SSE (EventSource, loopback)", 2000, EventSourceLoopback, true),
            ("fetch + ParseSse (loopback)", 2000, FetchLoopback, true),
            ("WebSocket + DeserializeJson (loopback)", 1500, WebSocketLoopback, true),
            ("SSE (EventSource, in-memory, idle timeout)", 1500, EventSourceInMemory, false),
            ("fetch + ParseSse (in-memory)", 1500, FetchInMemory, false),
            ("FromStream + ParseJsonLines (in-memory)", 1500, FromStreamInMemory, false),
        };
        Assert.True(phases.Sum(phase => phase.Races) >= 10_000);

        var results = new List<(string Name, RaceCounts Counts)>();
        using var hooks = new ProcessHooks();
        foreach (var (name, races, create, loopback) in phases)
        {
            var counts = new RaceCounts();
            hooks.Reset();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, races), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (race, _) =>
            {
                var state = new RaceState(counts, new Random(race));
                await RunRaceAsync(create(race, state), state);
            });
            if (loopback)
            {
                await _server.WaitUntilIdleAsync(AsyncObserver<object>.Patience);
            }

            await hooks.SettleAsync();
            counts.Unobserved = hooks.Unobserved;
            counts.Unhandled = hooks.Unhandled;
            results.Add((name, counts));
            output.WriteLine($"{name}: {counts.Races} races in {clock.ElapsedMilliseconds} ms, {counts}");
            foreach (var kind in hooks.TakeSeen().GroupBy(e => e.GetType().Name + ": " + e.GetBaseException().GetType().Name + " " + e.GetBaseException().Message).Take(5))
            {
                output.WriteLine($"    {kind.Count()} x {kind.Key}");
            }
        }

        Assert.All(results, result => Assert.True(result.Counts.IsClean, $"{result.Name}: {result.Counts}"));
    }

    private static async Task RunRaceAsync(IObservable<object> source, RaceState state)
    {
        var (counts, random) = (state.Counts, state.Random);
        var mode = random.Next(5);
        var spin = random.Next(0, 5000);
        var reentrantAt = random.Next(Events);
        var subscription = new SingleAssignment();
        var observer = new CheckingObserver(state, mode == 3 ? (index =>
        {
            // An item can arrive before Subscribe has returned the subscription: that dispose only takes effect when
            // it does (as in any Rx operator), so only a dispose that reached the source counts as having left.
            if (index == reentrantAt && subscription.DisposeReachedSource())
            {
                state.Left = true;
            }
        }) : null);
        subscription.Set(source.Subscribe(observer));
        switch (mode)
        {
            case 0:
                break;
            case 1:
                await Task.Yield();
                break;
            case 2:
                Thread.SpinWait(spin);
                break;
            case 3:
                // Disposed from inside OnNext; if the stream ends first, disposed after its end.
                await WaitAsync(Task.WhenAny(observer.Terminal, observer.Reached(reentrantAt)), counts);
                break;
            default:
                await WaitAsync(Task.WhenAny(observer.Terminal, observer.Reached(0)), counts);
                Thread.SpinWait(spin);
                break;
        }

        subscription.Dispose();
        Interlocked.Increment(ref counts.Races);
    }

    // A stream that neither emits nor ends within the patience lost its end somewhere: counted, and the race goes on.
    private static async Task WaitAsync(Task signal, RaceCounts counts)
    {
        using var patience = new CancellationTokenSource(StallPatience);
        if (await Task.WhenAny(signal, Task.Delay(Timeout.Infinite, patience.Token)) != signal)
        {
            Interlocked.Increment(ref counts.Stalled);
        }
    }

    private IObservable<object> EventSourceLoopback(int race, RaceState state) =>
        StreamObservable.EventSource(_client, _server.Url(race % 3 == 0 ? "/sse?gap" : "/sse"), new EventSourceOptions
        {
            Reconnect = null,

            // Against a server that pauses between events, an idle timeout of that order fires as the stream ends.
            IdleTimeout = race % 3 == 0 ? TimeSpan.FromMilliseconds(1 + (race % 2)) : null,
            Parser = state.ParserOptions(),
        }).Select(e => (object)e);

    private IObservable<object> FetchLoopback(int race, RaceState state) =>
        StreamObservable.Fetch(_client, _server.Url("/sse")).ParseSse(state.ParserOptions()).Select(e => (object)e);

    private IObservable<object> WebSocketLoopback(int race, RaceState state)
    {
        var address = new UriBuilder(_server.Url("/ws")) { Scheme = "ws" }.Uri;
        return StreamObservable.WebSocket(address).DeserializeJson(RaceJson.Default.RaceItem).Select(e => (object)e);
    }

    private static IObservable<object> EventSourceInMemory(int race, RaceState state)
    {
        var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(SseResponse())));
        return StreamObservable.EventSource(client, new Uri("http://127.0.0.1/sse"), new EventSourceOptions
        {
            Reconnect = null,
            IdleTimeout = race % 3 == 0 ? TimeSpan.FromMilliseconds(1 + (race % 2)) : null,
            Parser = state.ParserOptions(),
        }).Select(e => (object)e).Finally(client.Dispose);
    }

    private static IObservable<object> FetchInMemory(int race, RaceState state)
    {
        var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(SseResponse())));
        return StreamObservable.Fetch(client, new Uri("http://127.0.0.1/sse"), new FetchOptions { BufferSize = 16 })
            .ParseSse(state.ParserOptions())
            .Select(e => (object)e)
            .Finally(client.Dispose);
    }

    private static IObservable<object> FromStreamInMemory(int race, RaceState state)
    {
        var lines = string.Concat(Enumerable.Range(0, Events).Select(i => $"{{\"n\":{i}}}\n"));
        return StreamObservable.FromStream(new MemoryStream(Encoding.UTF8.GetBytes(lines)), bufferSize: 8)
            .ParseJsonLines(state.JsonTypeInfo())
            .Select(e => (object)e);
    }

    private static HttpResponseMessage SseResponse()
    {
        var text = string.Concat(Enumerable.Range(0, Events).Select(i => $": beat\nretry: 1000\nid: {i}\ndata: event {i}\n\n"));
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
        };
    }

    /// <summary>What the races broke, counted.</summary>
    private sealed class RaceCounts
    {
        public int Races;
        public int NextAfterTerminal;
        public int DoubleTerminal;
        public int Overlapping;
        public int AfterLeaving;
        public int Stalled;
        public int Unobserved;
        public int Unhandled;

        public bool IsClean => NextAfterTerminal == 0 && DoubleTerminal == 0 && Overlapping == 0 && AfterLeaving == 0 && Stalled == 0 && Unobserved == 0 && Unhandled == 0;

        public override string ToString() =>
            $"OnNext after terminal {NextAfterTerminal}, double terminal {DoubleTerminal}, overlapping calls {Overlapping}, calls after a dispose from OnNext {AfterLeaving}, stalled (no item, no end) {Stalled}, unobserved task exceptions {Unobserved}, unhandled {Unhandled}";
    }

    /// <summary>One race's dice and flags, shared by its observer and the user callbacks its source calls.</summary>
    /// <remarks>
    /// One race in five has a user callback (a comment handler, a JSON converter) that throws at a random point: that
    /// must end the stream through OnError, never on the unhandled path. The callbacks also check that nothing is
    /// called once the subscriber has left from inside OnNext (on that same thread, so that is deterministic).
    /// </remarks>
    private sealed class RaceState(RaceCounts counts, Random random)
    {
        private readonly int _failAt = random.Next(5) == 0 ? random.Next(Events) : -1;
        private int _callbacks;

        public RaceCounts Counts { get; } = counts;

        public Random Random { get; } = random;

        public volatile bool Left;

        public SseParserOptions ParserOptions() => new() { OnComment = _ => Callback(), OnRetry = _ => CheckStillThere() };

        public System.Text.Json.Serialization.Metadata.JsonTypeInfo<RaceItem> JsonTypeInfo() =>
            _failAt < 0 ? RaceJson.Default.RaceItem : FailingRaceItemConverter.TypeInfo(this);

        public void Callback()
        {
            CheckStillThere();
            if (_callbacks++ == _failAt)
            {
                throw new InvalidOperationException("a user callback's bug");
            }
        }

        public void CheckStillThere()
        {
            if (Left)
            {
                Interlocked.Increment(ref Counts.AfterLeaving);
            }
        }
    }

    /// <summary>A user's converter that reads items and throws at the race's chosen one.</summary>
    private sealed class FailingRaceItemConverter(RaceState state) : JsonConverter<RaceItem>
    {
        public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<RaceItem> TypeInfo(RaceState state) =>
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<RaceItem>)new System.Text.Json.JsonSerializerOptions
            {
                Converters = { new FailingRaceItemConverter(state) },
                TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            }.GetTypeInfo(typeof(RaceItem));

        public override RaceItem Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
        {
            using var document = System.Text.Json.JsonDocument.ParseValue(ref reader);
            state.Callback();
            return new RaceItem(document.RootElement.GetProperty("n").GetInt32());
        }

        public override void Write(System.Text.Json.Utf8JsonWriter writer, RaceItem value, System.Text.Json.JsonSerializerOptions options) => throw new NotSupportedException();
    }

    /// <summary>Checks the Rx grammar on every call, from whatever thread it comes.</summary>
    private sealed class CheckingObserver(RaceState state, Action<int>? onNext) : IObserver<object>
    {
        private readonly RaceCounts counts = state.Counts;
        private readonly TaskCompletionSource _terminal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource[] _reached = Enumerable.Range(0, Events).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        private int _inside;
        private int _terminated;
        private int _index;

        public Task Terminal => _terminal.Task;

        public Task Reached(int index) => _reached[index].Task;

        public void OnNext(object value)
        {
            Enter();
            if (Volatile.Read(ref _terminated) != 0)
            {
                Interlocked.Increment(ref counts.NextAfterTerminal);
            }

            var index = _index++;
            onNext?.Invoke(index);
            if (index < _reached.Length)
            {
                _reached[index].TrySetResult();
            }

            Exit();
        }

        public void OnError(Exception error) => Terminate();

        public void OnCompleted() => Terminate();

        private void Terminate()
        {
            Enter();
            if (Interlocked.Exchange(ref _terminated, 1) != 0)
            {
                Interlocked.Increment(ref counts.DoubleTerminal);
            }

            _terminal.TrySetResult();
            Exit();
        }

        private void Enter()
        {
            state.CheckStillThere();
            if (Interlocked.Increment(ref _inside) != 1)
            {
                Interlocked.Increment(ref counts.Overlapping);
            }
        }

        private void Exit() => Interlocked.Decrement(ref _inside);
    }

    /// <summary>A subscription that can be disposed (from inside OnNext) before Subscribe has returned it.</summary>
    private sealed class SingleAssignment : IDisposable
    {
        private static readonly IDisposable Disposed = new Nothing();
        private IDisposable? _inner;

        public void Set(IDisposable inner)
        {
            if (Interlocked.CompareExchange(ref _inner, inner, null) is not null)
            {
                inner.Dispose();
            }
        }

        public void Dispose() => Interlocked.Exchange(ref _inner, Disposed)?.Dispose();

        /// <summary>Disposes, and tells whether that disposed the source's own subscription (rather than a slot not yet set).</summary>
        public bool DisposeReachedSource()
        {
            var inner = Interlocked.Exchange(ref _inner, Disposed);
            inner?.Dispose();
            return inner is not null && inner != Disposed;
        }

        private sealed class Nothing : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    /// <summary>Counts unobserved task exceptions, unhandled exceptions and faults sent to the unhandled path, process-wide.</summary>
    private sealed class ProcessHooks : IDisposable
    {
        private readonly Action<ExceptionDispatchInfo> _previousFaultHandler = ObserverFault.Handler;
        private readonly ConcurrentQueue<Exception> _seen = new();
        private int _unobserved;
        private int _unhandled;

        public ProcessHooks()
        {
            TaskScheduler.UnobservedTaskException += OnUnobserved;
            AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
            ObserverFault.Handler = fault =>
            {
                _seen.Enqueue(fault.SourceException);
                Interlocked.Increment(ref _unhandled);
            };
        }

        public int Unobserved => Volatile.Read(ref _unobserved);

        public int Unhandled => Volatile.Read(ref _unhandled);

        public List<Exception> TakeSeen()
        {
            var seen = new List<Exception>();
            while (_seen.TryDequeue(out var e))
            {
                seen.Add(e);
            }

            return seen;
        }

        public void Reset()
        {
            _seen.Clear();
            Collect();
            Interlocked.Exchange(ref _unobserved, 0);
            Interlocked.Exchange(ref _unhandled, 0);
        }

        /// <summary>Lets the disposed connections unwind, then runs the finalizers that report unobserved task exceptions.</summary>
        public async Task SettleAsync()
        {
            // Disposal returns before a source's loop has unwound; a yield per pass gives them the pool's threads.
            for (var pass = 0; pass < 3; pass++)
            {
                await Task.Yield();
                Collect();
            }
        }

        public void Dispose()
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
            AppDomain.CurrentDomain.UnhandledException -= OnUnhandled;
            ObserverFault.Handler = _previousFaultHandler;
        }

        private static void Collect()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            _seen.Enqueue(e.Exception);
            Interlocked.Increment(ref _unobserved);
            e.SetObserved();
        }

        private void OnUnhandled(object sender, UnhandledExceptionEventArgs e) => Interlocked.Increment(ref _unhandled);
    }
}

/// <summary>One message of the WebSocket and NDJSON races.</summary>
/// <param name="N">Its number.</param>
public sealed record RaceItem(int N);

[JsonSerializable(typeof(RaceItem))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class RaceJson : JsonSerializerContext;
