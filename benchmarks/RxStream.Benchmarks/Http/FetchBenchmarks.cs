using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Http;

namespace RxStream.Benchmarks.Http;

/// <summary>Downloads the same streaming body from Kestrel on loopback with <c>Fetch</c> and with a raw <c>ReadAsync</c> loop.</summary>
[MemoryDiagnoser]
[MedianColumn] // The in-process server shares the cores with the client: the median resists the outliers that sharing makes.
public class FetchBenchmarks
{
    private const int BodyBytes = 16 * 1024 * 1024;
    private const int WriteBytes = 16 * 1024;
    private LoopbackHost _host = null!;
    private HttpClient _client = null!;
    private Uri _url = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var block = Corpus.ChatText(WriteBytes);
        _host = LoopbackHost.Start(app => app.MapGet("/body", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            for (var sent = 0; sent < BodyBytes; sent += block.Length)
            {
                await context.Response.Body.WriteAsync(block);
            }
        }));
        _client = new HttpClient();
        _url = _host.Url("/body");
        _buffer = new byte[StreamObservable.DefaultBufferSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads the body the way a hand-written client does: one buffer, a <c>ReadAsync</c> loop.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> RawReadLoop()
    {
        using var response = await _client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Reads the body as a hand-written client that keeps what it reads must: each read copied into an array of its own.</summary>
    /// <remarks>Not the target, a reference: it prices the ownership rule (a chunk stays valid after <c>OnNext</c>) on its own.</remarks>
    [Benchmark]
    public async Task<long> RawReadLoopKeepingCopies()
    {
        using var response = await _client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_buffer)) > 0)
        {
            total += _buffer.AsSpan(0, read).ToArray().Length;
        }

        return total;
    }

    /// <summary>Reads the same body through <c>Fetch</c>, counting the bytes of each chunk.</summary>
    [Benchmark]
    public Task<long> Fetch() => CountAsync(StreamObservable.Fetch(_client, _url));

    internal static Task<long> CountAsync(IObservable<Chunk> source)
    {
        var counter = new ByteCounter();
        source.Subscribe(counter);
        return counter.Total;
    }

    private sealed class ByteCounter : IObserver<Chunk>
    {
        private readonly TaskCompletionSource<long> _total = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _bytes;

        public Task<long> Total => _total.Task;

        public void OnNext(Chunk value) => _bytes += value.Length;

        public void OnError(Exception error) => _total.TrySetException(error);

        public void OnCompleted() => _total.TrySetResult(_bytes);
    }
}
