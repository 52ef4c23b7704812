using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RxStream.Internal;

namespace RxStream.Json;

// Specification: https://github.com/ndjson/ndjson-spec
/// <summary>Deserializes each line of a newline-delimited JSON byte stream straight from its UTF-8 bytes.</summary>
/// <remarks>Lines end at LF (a CR before it is JSON whitespace); blank lines are skipped; a last line without LF is read at completion.</remarks>
internal sealed class JsonLinesOperator<T>(IObservable<Chunk> source, JsonTypeInfo<T> typeInfo, int maxLineLength) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var sink = new Sink(observer, typeInfo, maxLineLength);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<T> downstream, JsonTypeInfo<T> typeInfo, int maxLineLength) : Sink<Chunk, T>(downstream)
    {
        private byte[]? _pending;
        private int _pendingLength;
        private long _lineNumber;

        public override void OnNext(Chunk value)
        {
            var bytes = value.Span;
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

        public override void OnCompleted()
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

            Release();
            ForwardOnCompleted();
        }

        public override void OnError(Exception error)
        {
            Release();
            ForwardOnError(error);
        }

        private bool Append(ReadOnlySpan<byte> bytes)
        {
            var length = _pendingLength + bytes.Length;
            if (length > maxLineLength)
            {
                OnError(new StreamLimitExceededException(nameof(JsonLinesOptions.MaxLineLength), maxLineLength, "bytes"));
                return false;
            }

            if (_pending is null || _pending.Length < length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(length, (_pending?.Length ?? 0) * 2));
                _pending?.AsSpan(0, _pendingLength).CopyTo(grown);
                if (_pending is not null)
                {
                    ArrayPool<byte>.Shared.Return(_pending);
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
                OnError(new StreamLimitExceededException(nameof(JsonLinesOptions.MaxLineLength), maxLineLength, "bytes"));
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
                OnError(new JsonPayloadException(JsonPayloadOrigin.Line, $"line {_lineNumber}", Encoding.UTF8.GetString(line), error));
                return false;
            }

            ForwardOnNext(item);
            return true;
        }

        private void Release()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                ArrayPool<byte>.Shared.Return(pending);
            }
        }
    }
}

file static class Utf8Whitespace
{
    public static bool IsWhiteSpace(this ReadOnlySpan<byte> line) => !line.ContainsAnyExcept((byte)' ', (byte)'\t', (byte)'\r');
}
