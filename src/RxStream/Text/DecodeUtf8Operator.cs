using System.Buffers;
using RxStream.Internal;

namespace RxStream.Text;

/// <summary>Runs <see cref="Utf8StreamDecoder"/> over each subscription's chunks, emitting one string per chunk that completes any text.</summary>
internal sealed class DecodeUtf8Operator(IObservable<Chunk> source, Utf8DecodeOptions options) : IObservable<string>
{
    public IDisposable Subscribe(IObserver<string> observer)
    {
        var sink = new Sink(observer, new Utf8StreamDecoder(options.KeepBom, options.Fatal));
        sink.Run(source);
        return sink;
    }

    private sealed class Sink(IObserver<string> downstream, Utf8StreamDecoder decoder) : Sink<Chunk, string>(downstream)
    {
        // The largest piece, in chars of output, decoded into a stack buffer: 512 bytes of stack.
        private const int StackDecodeLimit = 256;

        public override void OnNext(Chunk value)
        {
            if (!value.IsEmpty)
            {
                Decode(value.Span, flush: false);
            }
        }

        public override void OnCompleted()
        {
            // "If do not flush is false: process the end-of-queue": a torn sequence left at the end becomes U+FFFD.
            if (Decode([], flush: true))
            {
                ForwardOnCompleted();
            }
        }

        private bool Decode(ReadOnlySpan<byte> bytes, bool flush)
        {
            // Small pieces (a network's few-byte reads, a token per chunk) decode on the stack: renting and returning a
            // pooled array cost more than decoding them. At most one char per byte, plus up to four from a torn sequence
            // held back from the previous piece (and U+FFFD replacements never outnumber the bytes they replace).
            var needed = bytes.Length + 8;
            char[]? rented = null;
            var buffer = needed <= StackDecodeLimit ? stackalloc char[StackDecodeLimit] : (rented = ArrayPool<char>.Shared.Rent(needed));
            string? text;
            Utf8DecodeException? error;
            try
            {
                var written = decoder.Decode(bytes, buffer, flush, out error);
                text = written == 0 ? null : new string(buffer[..written]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<char>.Shared.Return(rented);
                }
            }

            // Never an empty string: a chunk that only continues a torn sequence emits nothing.
            if (text is not null)
            {
                ForwardOnNext(text);
            }

            if (error is not null)
            {
                ForwardOnError(error);
                return false;
            }

            return true;
        }
    }
}
