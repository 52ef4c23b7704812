using System.Buffers;
using RxStream.Internal;

namespace RxStream.ServerSentEvents;

/// <summary>Runs <see cref="SseStreamParser"/> over each subscription's chunks.</summary>
/// <remarks>
/// What the user's own delegates (<see cref="SseParserOptions.OnComment"/>, <see cref="SseParserOptions.OnRetry"/>)
/// throw fails the sequence through <c>OnError</c>, as a crossed limit does; only what the downstream observer throws
/// travels back up untouched. The parser's pooled buffers go back to the pool however the subscription ends.
/// </remarks>
internal sealed class ParseSseOperator(IObservable<Chunk> source, SseParserOptions options, ArrayPool<byte>? pool = null) : IObservable<SseEvent>
{
    public IDisposable Subscribe(IObserver<SseEvent> observer)
    {
        var sink = new Sink(observer, options, pool);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink : Sink<Chunk, SseEvent>, ISseParserHandler
    {
        // Who owns the parser's buffers: a chunk being fed (the feeder returns them if the subscription ends meanwhile),
        // nobody between chunks (disposal returns them), or nobody ever again once ended.
        private const int Idle = 0;
        private const int Feeding = 1;
        private const int Ended = 2;

        private readonly SseStreamParser _parser;
        private readonly SseParserOptions _options;
        private int _state;

        // Set while the downstream observer runs, so that what it throws travels back up untouched.
        private bool _forwarding;

        public Sink(IObserver<SseEvent> downstream, SseParserOptions options, ArrayPool<byte>? pool)
            : base(downstream)
        {
            _options = options;
            _parser = new SseStreamParser(options, this, pool: pool);
        }

        public override void OnNext(Chunk value)
        {
            if (Interlocked.CompareExchange(ref _state, Feeding, Idle) != Idle)
            {
                return;
            }

            Exception? failure = null;
            try
            {
                _parser.Feed(value.Span);
            }
            catch (Exception error) when (!_forwarding)
            {
                // A crossed limit, or a user delegate that threw: a failure of the stream.
                failure = error;
            }
            catch
            {
                // The observer threw from OnNext: it hears nothing more, and the buffers go back before the exception
                // travels up to the source.
                End();
                throw;
            }

            if (failure is not null)
            {
                End();
                ForwardOnError(failure);
            }
            else if (Interlocked.CompareExchange(ref _state, Idle, Feeding) != Feeding)
            {
                // Disposed while the chunk was being fed (from inside OnNext, or from another thread): the buffers
                // were left to us.
                _parser.Dispose();
            }
        }

        public override void OnError(Exception error)
        {
            if (Interlocked.CompareExchange(ref _state, Ended, Idle) == Idle)
            {
                _parser.Dispose();
                ForwardOnError(error);
            }
        }

        public override void OnCompleted()
        {
            if (Interlocked.CompareExchange(ref _state, Ended, Idle) == Idle)
            {
                _parser.Complete();
                _parser.Dispose();
                ForwardOnCompleted();
            }
        }

        protected override void DisposeCore()
        {
            // From inside a handler call this stops the parser before the rest of the chunk.
            _parser.Stop();
            if (Interlocked.Exchange(ref _state, Ended) == Idle)
            {
                _parser.Dispose();
            }
        }

        void ISseParserHandler.OnEvent(in SseEvent value)
        {
            _forwarding = true;
            try
            {
                ForwardOnNext(value);
            }
            finally
            {
                _forwarding = false;
            }
        }

        void ISseParserHandler.OnComment(ReadOnlySpan<byte> text)
        {
            if (_options.OnComment is { } onComment && !IsDisposed)
            {
                onComment(System.Text.Encoding.UTF8.GetString(text));
            }
        }

        void ISseParserHandler.OnRetry(TimeSpan reconnectionTime)
        {
            if (_options.OnRetry is { } onRetry && !IsDisposed)
            {
                onRetry(reconnectionTime);
            }
        }

        // Called by the feeder, which owns the buffers while the state is Feeding.
        private void End()
        {
            _parser.Stop();
            Interlocked.Exchange(ref _state, Ended);
            _parser.Dispose();
        }
    }
}
