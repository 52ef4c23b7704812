using RxStream.Internal;

namespace RxStream.ServerSentEvents;

/// <summary>Runs <see cref="SseStreamParser"/> over each subscription's chunks.</summary>
internal sealed class ParseSseOperator(IObservable<Chunk> source, SseParserOptions options) : IObservable<SseEvent>
{
    public IDisposable Subscribe(IObserver<SseEvent> observer)
    {
        var sink = new Sink(observer, options);
        sink.Run(source);
        return sink;
    }

    private sealed class Sink : Sink<Chunk, SseEvent>, ISseParserHandler
    {
        private readonly SseStreamParser _parser;
        private readonly SseParserOptions _options;

        // Set while the downstream observer runs, so that what it throws travels back up untouched.
        private bool _forwarding;

        public Sink(IObserver<SseEvent> downstream, SseParserOptions options)
            : base(downstream)
        {
            _options = options;
            _parser = new SseStreamParser(options, this);
        }

        public override void OnNext(Chunk value)
        {
            // A source that pushes synchronously from inside Subscribe cannot be disposed before it returns, so chunks
            // may still arrive after a crossed limit ended the stream: its parser has returned its buffers by then.
            if (IsDisposed)
            {
                return;
            }

            try
            {
                _parser.Feed(value.Span);
            }
            catch (StreamLimitExceededException limit) when (!_forwarding)
            {
                OnError(limit);
            }
        }

        public override void OnError(Exception error)
        {
            _parser.Dispose();
            ForwardOnError(error);
        }

        public override void OnCompleted()
        {
            _parser.Complete();
            _parser.Dispose();
            ForwardOnCompleted();
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
            if (_options.OnComment is { } onComment)
            {
                onComment(System.Text.Encoding.UTF8.GetString(text));
            }
        }

        void ISseParserHandler.OnRetry(TimeSpan reconnectionTime) => _options.OnRetry?.Invoke(reconnectionTime);
    }
}
