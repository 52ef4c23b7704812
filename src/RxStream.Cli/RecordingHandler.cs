using System.Diagnostics;
using RxStream.Testing.Recording;

namespace RxStream.Cli;

/// <summary>Writes what each response delivers to a recording, read by read, as the stream goes on: <c>--record FILE</c> for sse and fetch.</summary>
/// <remarks>Each response is a connection of the recording: its status and headers (secrets redacted by the writer), every
/// read with its time from the request, and how the body ended: completed at its end, failed if a read threw, disposed
/// if rxstream let it go first.</remarks>
internal sealed class RecordingHandler(HttpMessageHandler inner, RecordingWriter writer) : DelegatingHandler(inner)
{
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var opened = _sinceStart.Elapsed;
        var sinceRequest = Stopwatch.StartNew();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var headers = response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated)
            .SelectMany(header => header.Value.Select(value => new KeyValuePair<string, string>(header.Key, value)));
        writer.WriteOpen(opened, (int)response.StatusCode, response.ReasonPhrase, headers);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var recorded = new RecordedContent(new RecordingStream(body, writer, sinceRequest));
        foreach (var header in response.Content.Headers.NonValidated)
        {
            recorded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = recorded;
        return response;
    }

    /// <summary>Hands out the recording stream as the response's content.</summary>
    private sealed class RecordedContent(Stream body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => body.CopyToAsync(stream);

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => body;

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(body);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                body.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Passes reads through and records each one, then the end.</summary>
    private sealed class RecordingStream(Stream inner, RecordingWriter writer, Stopwatch sinceRequest) : Stream
    {
        private int _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read;
            try
            {
                read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                End(new RecordedEnd(sinceRequest.Elapsed, RecordedEndKind.Failed, Error: error.Message));
                throw;
            }

            if (buffer.IsEmpty)
            {
                // A zero-byte read only waits for data (EventSource does that between events); it is not the end.
            }
            else if (read == 0)
            {
                End(new RecordedEnd(sinceRequest.Elapsed, RecordedEndKind.Completed));
            }
            else if (Volatile.Read(ref _ended) == 0)
            {
                writer.WriteChunk(sinceRequest.Elapsed, Chunk.Copy(buffer.Span[..read]));
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                End(new RecordedEnd(sinceRequest.Elapsed, RecordedEndKind.Disposed));
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void End(RecordedEnd end)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                writer.WriteEnd(end);
            }
        }
    }
}
