using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Http;

/// <summary>
/// A real server writes a body in planned parts and waits, before each next part, until the client has received
/// every byte so far: so each planned boundary is a boundary between the client's reads, wherever it falls (inside
/// a CRLF, a UTF-8 sequence or the sentinel), and no coalescing on the way can hide it.
/// </summary>
public sealed class SplitWritesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, byte[][]> Bodies = new()
    {
        // "data: one" CR | LF "data: two" CRLF CRLF: one event "one\ntwo"; counting the torn CRLF twice would
        // dispatch "one" alone at the blank line it seems to make.
        ["crlf"] = [Ascii("data: one\r"), Ascii("\ndata: two\r\n\r\n")],

        // "café 😀" with the two-byte é and the four-byte emoji each torn across reads.
        ["utf8"] = [[.. Ascii("data: caf"), 0xC3], [0xA9, .. Ascii(" "), 0xF0, 0x9F], [0x98, 0x80, .. Ascii("\n\n")]],

        // The sentinel torn after "LLM-"; the server then keeps the response open until the client leaves.
        ["sentinel"] = [Ascii("The answer is 42. LLM-"), Ascii("EOF and what follows is never shown")],
    };

    private readonly TaskCompletionSource _sentinelAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Gate> _gates = Bodies.ToDictionary(body => body.Key, body => new Gate(body.Value));
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app => app.MapGet("/split/{name}", async (string name, HttpContext context) =>
        {
            var abort = context.RequestAborted;
            abort.Register(() =>
            {
                if (name == "sentinel")
                {
                    _sentinelAborted.TrySetResult();
                }
            });
            context.Response.ContentType = name == "sentinel" ? "text/plain; charset=utf-8" : "text/event-stream";
            var gate = _gates[name];
            for (var part = 0; part < Bodies[name].Length; part++)
            {
                await context.Response.Body.WriteAsync(Bodies[name][part], abort);
                await context.Response.Body.FlushAsync(abort);
                await gate.Received(part).WaitAsync(Patience, abort);
            }

            if (name == "sentinel")
            {
                // Hold the response open: only the client's disposal ends it.
                await Task.Delay(Timeout.InfiniteTimeSpan, abort).WaitAsync(Patience).ContinueWith(_ => { });
            }
        }));
        _client = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ParseSse_CrlfTornBetweenReads_CountsOneLineEnd()
    {
        var events = await ReadEventsAsync("crlf");

        Assert.Equal(["one\ntwo"], events.Select(e => e.Data));
        Assert.Equal(_gates["crlf"].Boundaries, _gates["crlf"].ChunkEnds);
    }

    [Fact]
    public async Task ParseSse_Utf8SequencesTornBetweenReads_DecodeWhole()
    {
        var events = await ReadEventsAsync("utf8");

        Assert.Equal(["café 😀"], events.Select(e => e.Data));
        Assert.Equal(_gates["utf8"].Boundaries, _gates["utf8"].ChunkEnds);
    }

    [Fact]
    public async Task TakeUntilSentinel_SentinelTornBetweenReads_CompletesAndAbortsTheOpenResponse()
    {
        var observer = new AsyncObserver<string>();
        using var subscription = Fetch("sentinel").DecodeUtf8().TakeUntilSentinel("LLM-EOF").Subscribe(observer);

        var text = string.Concat(await observer.CompletedAsync());

        Assert.Equal("The answer is 42. ", text);
        Assert.Equal(_gates["sentinel"].Boundaries, _gates["sentinel"].ChunkEnds);

        // Completion came while the server still held the response open; it is the disposal that ends it.
        await _sentinelAborted.Task.WaitAsync(Patience);
        await _server.WaitUntilIdleAsync(Patience);
    }

    private async Task<IReadOnlyList<SseEvent>> ReadEventsAsync(string name)
    {
        var observer = new AsyncObserver<SseEvent>();
        using var subscription = Fetch(name).ParseSse().Subscribe(observer);
        return await observer.CompletedAsync();
    }

    private IObservable<Chunk> Fetch(string name)
    {
        var gate = _gates[name];
        return System.Reactive.Linq.Observable.Do(StreamObservable.Fetch(_client, _server.Url("/split/" + name)), gate.OnChunk);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Tells the server when the client has received each part, and records where the client's reads ended.</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource[] _received;
        private readonly List<long> _chunkEnds = [];
        private long _total;

        public Gate(byte[][] parts)
        {
            _received = [.. parts.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
            long offset = 0;
            Boundaries = [.. parts.Select(part => offset += part.Length)];
        }

        /// <summary>Gets the offset at which each planned part ends.</summary>
        public IReadOnlyList<long> Boundaries { get; }

        /// <summary>Gets the offsets at which the client's reads ended that are planned boundaries.</summary>
        public IReadOnlyList<long> ChunkEnds
        {
            get
            {
                lock (_chunkEnds)
                {
                    return [.. _chunkEnds.Where(Boundaries.Contains)];
                }
            }
        }

        public Task Received(int part) => _received[part].Task;

        public void OnChunk(Chunk chunk)
        {
            lock (_chunkEnds)
            {
                _total += chunk.Length;
                _chunkEnds.Add(_total);
                for (var part = 0; part < _received.Length; part++)
                {
                    if (_total >= Boundaries[part])
                    {
                        _received[part].TrySetResult();
                    }
                }
            }
        }
    }
}
