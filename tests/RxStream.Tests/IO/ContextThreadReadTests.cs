using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using System.Threading.Tasks.Sources;
using RxStream.Http;
using RxStream.ServerSentEvents;
using RxStream.Tests.Testing;

namespace RxStream.Tests.IO;

/// <summary>
/// A body whose reads complete on a UI thread (a stream a UI-bound library hands over, say): the read loop goes on there,
/// inline, and must never capture that thread's SynchronizationContext at its next await. If it did, its continuation
/// would be posted to a context that, busy or blocked, may never run it: the stream would stall.
/// </summary>
public sealed class ContextThreadReadTests
{
    private const string Body = "data: one\n\ndata: two\n\ndata: three\n\n";

    [Fact]
    public async Task EventSource_ReadsCompletedOnAThreadWithAContext_AllEventsArriveAndNothingIsPostedToIt()
    {
        using var ui = new ContextThreadStream(Encoding.UTF8.GetBytes(Body), pieceSize: 5);
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(ui) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
        })));

        var events = await StreamObservable.EventSource(client, new Uri("http://127.0.0.1/events"), new EventSourceOptions { Reconnect = null, BufferSize = 5 })
            .ToList().ToTask().WaitAsync(AsyncObserver<SseEvent>.Patience);

        Assert.Equal(["one", "two", "three"], events.Select(e => e.Data));
        Assert.Equal(0, ui.Context.Posts);
        Assert.True(ui.ReadsCompletedOnItsThread > 3);
    }

    [Fact]
    public async Task FromStream_ReadsCompletedOnAThreadWithAContext_AllBytesArriveAndNothingIsPostedToIt()
    {
        using var ui = new ContextThreadStream(Encoding.UTF8.GetBytes(Body), pieceSize: 5);

        var chunks = await StreamObservable.FromStream(ui, bufferSize: 5).ToList().ToTask().WaitAsync(AsyncObserver<Chunk>.Patience);

        Assert.Equal(Body, string.Concat(chunks.Select(c => c.GetString())));
        Assert.Equal(0, ui.Context.Posts);
        Assert.True(ui.ReadsCompletedOnItsThread > 3);
    }

    /// <summary>Completes every read that had to wait on a thread of its own whose SynchronizationContext is set, with the reader's continuation run inline there.</summary>
    private sealed class ContextThreadStream : Stream, IValueTaskSource<int>
    {
        private readonly byte[] _bytes;
        private readonly int _pieceSize;
        private readonly BlockingCollection<Memory<byte>> _reads = [];
        private readonly Thread _thread;
        private ManualResetValueTaskSourceCore<int> _core;
        private int _position;
        private int _onItsThread;

        public ContextThreadStream(byte[] bytes, int pieceSize)
        {
            _bytes = bytes;
            _pieceSize = pieceSize;
            _thread = new Thread(Run) { IsBackground = true, Name = "UI" };
            _thread.Start();
        }

        public PostCountingContext Context { get; } = new();

        public int ReadsCompletedOnItsThread => Volatile.Read(ref _onItsThread);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // Every read waits for the UI thread, which then runs the reader's continuation inline.
            _core.Reset();
            _reads.Add(buffer, cancellationToken);
            return new ValueTask<int>(this, _core.Version);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _reads.CompleteAdding();
            base.Dispose(disposing);
        }

        private void Run()
        {
            SynchronizationContext.SetSynchronizationContext(Context);
            foreach (var buffer in _reads.GetConsumingEnumerable())
            {
                // A zero-byte read asks only to wait for data; the rest get the next piece, then the end.
                var count = Math.Min(Math.Min(_pieceSize, buffer.Length), _bytes.Length - _position);
                _bytes.AsSpan(_position, count).CopyTo(buffer.Span);
                _position += count;
                Interlocked.Increment(ref _onItsThread);
                _core.SetResult(count);
            }
        }
    }
}
