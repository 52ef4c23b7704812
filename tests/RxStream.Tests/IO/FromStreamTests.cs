using System.IO.Pipelines;
using System.Text;
using RxStream.Tests.Testing;

namespace RxStream.Tests.IO;

[Collection(ObserverFaultCollection.Name)]
public class FromStreamTests
{
    [Fact]
    public void FromStream_NullArguments_ThrowAtTheCall()
    {
        Assert.Equal("openStream", Assert.Throws<ArgumentNullException>(() => StreamObservable.FromStream((Func<CancellationToken, ValueTask<Stream>>)null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => StreamObservable.FromStream((Stream)null!)).ParamName);
        Assert.Equal("bufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => StreamObservable.FromStream(new MemoryStream(), 0)).ParamName);
        var unreadable = new MemoryStream();
        unreadable.Dispose();
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => StreamObservable.FromStream(unreadable)).ParamName);
    }

    [Fact]
    public async Task FromStream_SmallBuffer_EmitsEveryReadAsItsOwnExactChunk()
    {
        var bytes = Encoding.UTF8.GetBytes("héllo, wörld — 你好 🙂");
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(new MemoryStream(bytes), bufferSize: 5).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.All(chunks, chunk => Assert.InRange(chunk.Length, 1, 5));
        Assert.Equal(bytes, chunks.SelectMany(chunk => chunk.Data.ToArray()));
        Assert.Equal((bytes.Length + 4) / 5, chunks.Count);
    }

    [Fact]
    public async Task FromStream_ChunksKeptAfterOnNext_DoNotChangeWhenTheBufferIsReused()
    {
        var bytes = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(new MemoryStream(bytes), bufferSize: 8).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(8, chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(bytes.Skip(8 * i).Take(8), chunks[i].Data.ToArray());
        }
    }

    [Fact]
    public async Task FromStream_ReadsOfRandomSizes_EveryChunkKeepsItsBytesWhileLaterReadsLand()
    {
        var random = new Random(20261125);
        var bytes = new byte[200_000];
        random.NextBytes(bytes);
        var snapshots = new List<byte[]>();
        var observer = new AsyncObserver<Chunk> { OnNextHook = chunk => snapshots.Add(chunk.Data.ToArray()) };

        using var subscription = StreamObservable.FromStream(new RandomReadStream(bytes, random), bufferSize: 4096).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(bytes, chunks.SelectMany(chunk => chunk.Data.ToArray()));
        Assert.Equal(snapshots, chunks.Select(chunk => chunk.Data.ToArray()));
        var regions = chunks.Select(Segment).GroupBy(segment => segment.Array);
        Assert.All(regions, shared => Assert.True(Disjoint(shared.ToList()), "two chunks share bytes of one array"));
    }

    [Fact]
    public async Task FromStream_ShortReads_EachGetsAnArrayOfItsOwnSizeSoNoChunkPinsABuffer()
    {
        var bytes = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(new RandomReadStream(bytes, new Random(1), maxRead: 7), bufferSize: 4096).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(bytes, chunks.SelectMany(chunk => chunk.Data.ToArray()));
        Assert.All(chunks, chunk => Assert.Equal(chunk.Length, Segment(chunk).Array!.Length));
    }

    [Fact]
    public async Task FromStream_LongReads_AreSlicesOfArraysNoLargerThanTheBuffer()
    {
        var bytes = new byte[64 * 1024];
        new Random(2).NextBytes(bytes);
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(new MemoryStream(bytes), bufferSize: 4096).Subscribe(observer);
        var chunks = await observer.CompletedAsync();

        Assert.Equal(bytes, chunks.SelectMany(chunk => chunk.Data.ToArray()));
        Assert.All(chunks, chunk => Assert.InRange(Segment(chunk).Array!.Length, chunk.Length, 4096));
    }

    [Fact]
    public async Task FromStream_DisposedDuringAPendingRead_CancelsTheReadAndDisposesTheStream()
    {
        var pipe = new Pipe();
        var stream = new DisposeSignallingStream(pipe.Reader.AsStream());
        var observer = new AsyncObserver<Chunk>();

        var subscription = StreamObservable.FromStream(stream).Subscribe(observer);
        await pipe.Writer.WriteAsync("first"u8.ToArray());
        await observer.FirstValue.WaitAsync(AsyncObserver<Chunk>.Patience);
        subscription.Dispose();

        await stream.Disposed.WaitAsync(AsyncObserver<Chunk>.Patience);
        Assert.False(observer.IsTerminated);
        Assert.Equal("first", Assert.Single(observer.Values).GetString());
    }

    [Fact]
    public async Task FromStream_ReadFails_ErrorReachesOnErrorAfterTheDataAlreadyRead()
    {
        var stream = new FailingStream("ok"u8.ToArray(), new IOException("the disk went away"));
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(stream).Subscribe(observer);

        var error = await observer.FailedAsync<IOException>();
        Assert.Equal("the disk went away", error.Message);
        Assert.Equal("ok", Assert.Single(observer.Values).GetString());
    }

    [Fact]
    public async Task FromStream_ObserverThrows_StopsReadingAndReportsTheFaultUnhandledNotToOnError()
    {
        using var faults = new ObserverFaultCapture();
        var pipe = new Pipe();
        var stream = new DisposeSignallingStream(pipe.Reader.AsStream());
        var bug = new InvalidOperationException("the subscriber's bug");
        var observer = new AsyncObserver<Chunk> { OnNextHook = _ => throw bug };

        using var subscription = StreamObservable.FromStream(stream).Subscribe(observer);
        await pipe.Writer.WriteAsync("x"u8.ToArray());

        Assert.Same(bug, await faults.Fault.WaitAsync(AsyncObserver<Chunk>.Patience));
        await stream.Disposed.WaitAsync(AsyncObserver<Chunk>.Patience);
        Assert.False(observer.IsTerminated);
    }

    [Fact]
    public async Task FromStream_ReadsAtTheThresholds_SliceCopyAndRetireTheSlabExactlyThere()
    {
        // bufferSize 64: a read of 8 (an eighth) or more is a slice of the slab, one of 7 is copied; a slab with 16 (a
        // quarter) free is still read into, one with less is retired.
        var stream = new ScriptedReadStream([8, 7, 40, 8, 8]);
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(stream, bufferSize: 64).Subscribe(observer);
        var segments = (await observer.CompletedAsync()).Select(Segment).ToList();

        var slab = segments[0].Array!;
        Assert.Equal(64, slab.Length);
        Assert.Equal((0, 8), (segments[0].Offset, segments[0].Count));
        Assert.Equal((7, 0, 7), (segments[1].Array!.Length, segments[1].Offset, segments[1].Count));
        Assert.Same(slab, segments[2].Array);
        Assert.Equal((8, 40), (segments[2].Offset, segments[2].Count));
        Assert.Same(slab, segments[3].Array);
        Assert.Equal((48, 8), (segments[3].Offset, segments[3].Count));
        Assert.NotSame(slab, segments[4].Array);
        Assert.Equal((64, 0, 8), (segments[4].Array!.Length, segments[4].Offset, segments[4].Count));
        Assert.Equal(stream.Written, segments.Select(segment => segment.ToArray()));
    }

    [Fact]
    public async Task FromStream_FactoryReturnsNull_FailsWithAClearError()
    {
        var observer = new AsyncObserver<Chunk>();

        using var subscription = StreamObservable.FromStream(_ => ValueTask.FromResult<Stream>(null!)).Subscribe(observer);

        var error = await observer.FailedAsync<InvalidOperationException>();
        Assert.Equal("The stream factory returned null.", error.Message);
    }

    [Fact]
    public async Task FromStream_EndlessStreamThatNeverWaits_TakeOneEndsItAndDisposesTheStream()
    {
        var stream = new DisposeSignallingStream(new EndlessStream());
        var observer = new AsyncObserver<Chunk>();

        // Every read completes synchronously: started on the subscribing thread, the loop would never give Subscribe
        // back the disposable that Take needs to stop it.
        using var subscription = System.Reactive.Linq.Observable.Take(StreamObservable.FromStream(stream, bufferSize: 4), 1).Subscribe(observer);

        var chunks = await observer.CompletedAsync();
        Assert.Equal("xxxx", Assert.Single(chunks).GetString());
        await stream.Disposed.WaitAsync(AsyncObserver<Chunk>.Patience);
    }

    private static ArraySegment<byte> Segment(Chunk chunk) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(chunk.Data, out var segment) ? segment : throw new InvalidOperationException("not an array");

    private static bool Disjoint(List<ArraySegment<byte>> segments)
    {
        var sorted = segments.OrderBy(segment => segment.Offset).ToList();
        return sorted.Zip(sorted.Skip(1)).All(pair => pair.First.Offset + pair.First.Count <= pair.Second.Offset);
    }

    /// <summary>Returns each read cut to a random length, as a network stream does.</summary>
    private sealed class RandomReadStream(byte[] bytes, Random random, int maxRead = int.MaxValue) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, random.Next(1, Math.Min(maxRead, buffer.Length) + 1))], cancellationToken);
    }

    /// <summary>Answers its reads with the given lengths, in order, each filled with its own byte value, then ends.</summary>
    private sealed class ScriptedReadStream(int[] lengths) : MemoryStream
    {
        private int _next;

        public List<byte[]> Written { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_next == lengths.Length)
            {
                return ValueTask.FromResult(0);
            }

            var length = Math.Min(lengths[_next], buffer.Length);
            var bytes = Enumerable.Repeat((byte)(_next + 1), length).ToArray();
            _next++;
            bytes.CopyTo(buffer);
            Written.Add(bytes);
            return ValueTask.FromResult(length);
        }
    }

    /// <summary>Fills every read with 'x', synchronously, for ever (until cancelled).</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<int>(cancellationToken);
            }

            buffer.Span.Fill((byte)'x');
            return ValueTask.FromResult(buffer.Length);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class FailingStream(byte[] first, Exception failure) : MemoryStream(first)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer, cancellationToken) : ValueTask.FromException<int>(failure);
    }
}
