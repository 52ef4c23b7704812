using RxStream.Internal;

namespace RxStream.Text;

/// <summary>Emits text up to the first occurrence of a sentinel, then completes and disposes upstream at once.</summary>
internal sealed class TakeUntilTextSentinel(IObservable<string> source, string sentinel, SentinelOptions options) : IObservable<string>
{
    public IDisposable Subscribe(IObserver<string> observer)
    {
        var sink = new Sink(observer, sentinel, options);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<string> downstream, string sentinel, SentinelOptions options) : Sink<string, string>(downstream)
    {
        private string _held = string.Empty;

        public override void OnNext(string value)
        {
            var match = SentinelSearch.Find(_held.AsSpan(), value.AsSpan(), sentinel.AsSpan(), out var keep);
            var total = _held.Length + value.Length;
            var emit = match >= 0 ? match : total - keep;
            var before = Slice(value, 0, emit);
            _held = match >= 0 ? string.Empty : Slice(value, total - keep, keep);
            if (before.Length > 0)
            {
                ForwardOnNext(before);
            }

            if (match >= 0)
            {
                if (options.IncludeSentinel)
                {
                    ForwardOnNext(sentinel);
                }

                ForwardOnCompleted();
            }
        }

        public override void OnCompleted()
        {
            if (_held.Length > 0)
            {
                ForwardOnNext(_held);
            }

            if (options.ErrorIfMissing)
            {
                ForwardOnError(new SentinelNotFoundException());
            }
            else
            {
                ForwardOnCompleted();
            }
        }

        // A slice of the virtual string held + value.
        private string Slice(string value, int start, int length)
        {
            if (length == 0)
            {
                return string.Empty;
            }

            if (start >= _held.Length)
            {
                return value.Substring(start - _held.Length, length);
            }

            var fromHeld = Math.Min(length, _held.Length - start);
            return string.Concat(_held.AsSpan(start, fromHeld), value.AsSpan(0, length - fromHeld));
        }
    }
}

/// <summary>Emits bytes up to the first occurrence of a byte sentinel, then completes and disposes upstream at once.</summary>
internal sealed class TakeUntilByteSentinel(IObservable<Chunk> source, byte[] sentinel, SentinelOptions options) : IObservable<Chunk>
{
    public IDisposable Subscribe(IObserver<Chunk> observer)
    {
        var sink = new Sink(observer, sentinel, options);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<Chunk> downstream, byte[] sentinel, SentinelOptions options) : Sink<Chunk, Chunk>(downstream)
    {
        // The bytes that could still start the sentinel, and the kind of the message they belong to. They never span a
        // message's end: a piece that ends a message releases them, so every chunk emitted holds one message's bytes.
        private byte[] _held = [];
        private ChunkKind _heldKind;

        public override void OnNext(Chunk value)
        {
            var piece = value.Span;
            var match = SentinelSearch.Find<byte>(_held, piece, sentinel, out var keep);
            if (match < 0 && value.IsEndOfMessage)
            {
                // The message ends here, so a sentinel begun in it cannot be finished by the next one.
                keep = 0;
            }

            var total = _held.Length + piece.Length;
            var emit = match >= 0 ? match : total - keep;
            var endsMessage = match < 0 && keep == 0 && value.IsEndOfMessage;
            Chunk? before = emit == 0 ? null
                : _held.Length == 0 && emit == piece.Length ? value
                : new Chunk(Join(piece, 0, emit), value.Kind, endsMessage);
            _held = match >= 0 ? [] : Join(piece, total - keep, keep);
            _heldKind = value.Kind;
            if (before is { } chunk)
            {
                ForwardOnNext(chunk);
            }

            if (match >= 0)
            {
                if (options.IncludeSentinel)
                {
                    ForwardOnNext(Chunk.Copy(sentinel, value.Kind, value.IsEndOfMessage && match + sentinel.Length == total));
                }

                ForwardOnCompleted();
            }
        }

        public override void OnCompleted()
        {
            if (_held.Length > 0)
            {
                // Held bytes are a message's unfinished tail (a piece that ended the message would have released them).
                ForwardOnNext(new Chunk(_held, _heldKind, endOfMessage: false));
            }

            if (options.ErrorIfMissing)
            {
                ForwardOnError(new SentinelNotFoundException());
            }
            else
            {
                ForwardOnCompleted();
            }
        }

        private byte[] Join(ReadOnlySpan<byte> piece, int start, int length)
        {
            // Most pieces leave nothing held: share the empty array rather than allocate one per piece.
            if (length == 0)
            {
                return [];
            }

            var result = new byte[length];
            var fromHeld = Math.Max(0, Math.Min(length, _held.Length - start));
            if (fromHeld > 0)
            {
                _held.AsSpan(start, fromHeld).CopyTo(result);
            }

            piece.Slice(Math.Max(0, start - _held.Length), length - fromHeld).CopyTo(result.AsSpan(fromHeld));
            return result;
        }
    }
}

/// <summary>Emits items up to the first one that matches a predicate, then completes and disposes upstream at once.</summary>
internal sealed class TakeUntilPredicateSentinel<T>(IObservable<T> source, Func<T, bool> isSentinel, SentinelOptions options) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var sink = new Sink(observer, isSentinel, options);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<T> downstream, Func<T, bool> isSentinel, SentinelOptions options) : Sink<T, T>(downstream)
    {
        public override void OnNext(T value)
        {
            bool found;
            try
            {
                found = isSentinel(value);
            }
            catch (Exception error)
            {
                // The user's predicate failing is the stream's error.
                ForwardOnError(error);
                return;
            }

            if (!found)
            {
                ForwardOnNext(value);
                return;
            }

            if (options.IncludeSentinel)
            {
                ForwardOnNext(value);
            }

            ForwardOnCompleted();
        }

        public override void OnCompleted()
        {
            if (options.ErrorIfMissing)
            {
                ForwardOnError(new SentinelNotFoundException());
            }
            else
            {
                ForwardOnCompleted();
            }
        }
    }
}
