using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RxStream.Internal;

namespace RxStream.Json;

// Specification: https://github.com/ndjson/ndjson-spec
/// <summary>Deserializes each line of a newline-delimited JSON byte stream straight from its UTF-8 bytes.</summary>
/// <remarks>
/// <para>Lines end at LF (a CR before it is JSON whitespace); blank lines are skipped; a last line without LF is read at completion.</para>
/// <para>What the deserializer throws (a user's converter included) fails the sequence through <c>OnError</c>; only what
/// the downstream observer throws travels back up untouched. Disposed from inside <c>OnNext</c>, the operator reads no
/// further line; its pooled buffer goes back to the pool however the subscription ends.</para>
/// </remarks>
internal sealed class JsonLinesOperator<T>(IObservable<Chunk> source, JsonTypeInfo<T> typeInfo, int maxLineLength, ArrayPool<byte>? pool = null) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var sink = new Sink(observer, typeInfo, maxLineLength, pool ?? ArrayPool<byte>.Shared);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<T> downstream, JsonTypeInfo<T> typeInfo, int maxLineLength, ArrayPool<byte> pool) : Sink<Chunk, T>(downstream)
    {
        // Who owns the pending-line buffer: a chunk being read (the reader returns it if the subscription ends
        // meanwhile), nobody between chunks (disposal returns it), or nobody ever again once ended.
        private const int Idle = 0;
        private const int Reading = 1;
        private const int Ended = 2;

        private byte[]? _pending;
        private int _pendingLength;
        private long _lineNumber;
        private int _state;

        public override void OnNext(Chunk value)
        {
            if (Interlocked.CompareExchange(ref _state, Reading, Idle) != Idle)
            {
                return;
            }

            try
            {
                ReadLines(value.Span);
            }
            catch
            {
                // The observer threw from OnNext: it hears nothing more, and the buffer goes back first.
                End();
                throw;
            }

            if (Interlocked.CompareExchange(ref _state, Idle, Reading) != Reading)
            {
                // Ended, or disposed while the chunk was read: the buffer was left to us.
                Release();
            }
        }

        public override void OnCompleted()
        {
            if (Interlocked.CompareExchange(ref _state, Reading, Idle) != Idle)
            {
                return;
            }

            try
            {
                if (_pendingLength > 0)
                {
                    var last = _pending.AsSpan(0, _pendingLength);
                    _pendingLength = 0;
                    if (!Emit(last))
                    {
                        return;
                    }
                }
            }
            finally
            {
                End();
            }

            ForwardOnCompleted();
        }

        public override void OnError(Exception error)
        {
            if (Interlocked.CompareExchange(ref _state, Ended, Idle) == Idle)
            {
                Release();
                ForwardOnError(error);
            }
        }

        protected override void DisposeCore()
        {
            if (Interlocked.Exchange(ref _state, Ended) == Idle)
            {
                Release();
            }
        }

        private void ReadLines(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var end = bytes.IndexOf((byte)'\n');
                if (end < 0)
                {
                    if (!Append(bytes))
                    {
                        return;
                    }

                    break;
                }

                bool ok;
                if (_pendingLength == 0)
                {
                    ok = Emit(bytes[..end]);
                }
                else
                {
                    ok = Append(bytes[..end]) && Emit(_pending.AsSpan(0, _pendingLength));
                    _pendingLength = 0;
                }

                if (!ok)
                {
                    return;
                }

                bytes = bytes[(end + 1)..];
            }
        }

        private bool Append(ReadOnlySpan<byte> bytes)
        {
            var length = _pendingLength + bytes.Length;
            if (length > maxLineLength)
            {
                Fail(new StreamLimitExceededException(nameof(JsonLinesOptions.MaxLineLength), maxLineLength, "bytes"));
                return false;
            }

            if (_pending is null || _pending.Length < length)
            {
                var grown = pool.Rent(Math.Max(length, (_pending?.Length ?? 0) * 2));
                _pending?.AsSpan(0, _pendingLength).CopyTo(grown);
                if (_pending is not null)
                {
                    pool.Return(_pending);
                }

                _pending = grown;
            }

            bytes.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength = length;
            return true;
        }

        private bool Emit(ReadOnlySpan<byte> line)
        {
            _lineNumber++;
            if (line.Length > maxLineLength)
            {
                Fail(new StreamLimitExceededException(nameof(JsonLinesOptions.MaxLineLength), maxLineLength, "bytes"));
                return false;
            }

            if (line.IsWhiteSpace())
            {
                return true;
            }

            T item;
            try
            {
                item = JsonSerializer.Deserialize(line, typeInfo)!;
            }
            catch (JsonException error)
            {
                Fail(new JsonPayloadException(JsonPayloadOrigin.Line, $"line {_lineNumber}", Encoding.UTF8.GetString(line), error));
                return false;
            }
            catch (Exception error)
            {
                // A converter of the user's that threw something else: a failure of the stream, as in DeserializeJson.
                Fail(error);
                return false;
            }

            ForwardOnNext(item);

            // Disposed from inside OnNext: not one more line, not one more converter call.
            return !IsDisposed;
        }

        // Ends the sequence with an error found while reading (the reader owns the buffer).
        private void Fail(Exception error)
        {
            End();
            ForwardOnError(error);
        }

        // Called by the reader, which owns the buffer while the state is Reading.
        private void End()
        {
            Interlocked.Exchange(ref _state, Ended);
            Release();
        }

        private void Release()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                pool.Return(pending);
            }
        }
    }
}

file static class Utf8Whitespace
{
    public static bool IsWhiteSpace(this ReadOnlySpan<byte> line) => !line.ContainsAnyExcept((byte)' ', (byte)'\t', (byte)'\r');
}
