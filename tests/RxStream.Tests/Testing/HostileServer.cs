using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RxStream.Tests.Testing;

/// <summary>A loopback Kestrel server that misbehaves on purpose: it stays silent, compresses, redirects, and closes mid-frame; records what each request carried.</summary>
/// <remarks>Every endpoint ends by itself within <see cref="Limit"/>, or as soon as the client goes away.</remarks>
public sealed class HostileServer : IAsyncDisposable
{
    /// <summary>The longest any endpoint keeps a request open.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private readonly TaskCompletionSource _silentEntered = NewSignal();
    private readonly TaskCompletionSource _release = NewSignal();
    private readonly TaskCompletionSource<bool> _streamEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;

    private HostileServer()
    {
    }

    /// <summary>Gets what each request carried, in arrival order.</summary>
    public IReadOnlyList<SeenRequest> Seen => _seen.ToArray();

    /// <summary>Gets a task that completes once a request reached <c>/silent</c>.</summary>
    public Task SilentEntered => _silentEntered.Task;

    /// <summary>Gets a task that completes when <c>/gzip-events</c> ended its body; its value says whether the test released it in time.</summary>
    public Task<bool> StreamEnded => _streamEnded.Task;

    /// <summary>Starts a server.</summary>
    public static async Task<HostileServer> StartAsync()
    {
        var hostile = new HostileServer();
        hostile._server = await LoopbackServer.StartAsync(hostile.Map);
        return hostile;
    }

    /// <summary>The absolute address of <paramref name="path"/> on this server.</summary>
    public Uri Url(string path) => _server.Url(path);

    /// <summary>Lets <c>/gzip-events</c> send its second event and end, and <c>/mid-frame</c> drop its connection.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Completes when no request is in flight.</summary>
    public Task WaitUntilIdleAsync() => _server.WaitUntilIdleAsync(Limit);

    public ValueTask DisposeAsync()
    {
        Release();
        return _server.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers;
            _seen.Enqueue(new SeenRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                headers.Authorization.FirstOrDefault(),
                headers.Cookie.FirstOrDefault(),
                headers["Proxy-Authorization"].FirstOrDefault(),
                headers.AcceptEncoding.ToString()));
            await next(context);
        });

        // Accepts the request and never answers: only the client's deadline ends it.
        app.Map("/silent", async (HttpContext context) =>
        {
            _silentEntered.TrySetResult();
            await Task.Delay(Limit, context.RequestAborted).ContinueWith(_ => { });
        });

        // A gzip-compressed event stream, flushed per event; the second event waits for the test's release, so the
        // first can only reach the client before the body ends if decompression is incremental.
        app.MapGet("/gzip-events", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.ContentEncoding = "gzip";
            await using (var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync("data: one\n\n"u8.ToArray());
                await gzip.FlushAsync();
                await context.Response.Body.FlushAsync();
                var released = await Task.WhenAny(_release.Task, Task.Delay(Limit, context.RequestAborted)) == _release.Task;
                await gzip.WriteAsync("data: two\n\n"u8.ToArray());
                _streamEnded.TrySetResult(released);
            }
        });

        // A gzip event stream whose first event is whole and flushed, then (once the test has seen it, or after the
        // limit) bytes no decompressor accepts.
        app.MapGet("/corrupt-gzip", async (HttpContext context) =>
        {
            context.Response.ContentType = context.Request.Query["type"].FirstOrDefault() ?? "text/event-stream";
            context.Response.Headers.ContentEncoding = "gzip";
            var whole = new MemoryStream();
            await using (var gzip = new GZipStream(whole, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync("data: one\n\n"u8.ToArray());
                await gzip.FlushAsync();
            }

            // The first event as a flushed deflate block, then a block header of the reserved type 3.
            var bytes = whole.ToArray();
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length - 8 - 2));
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(_release.Task, Task.Delay(Limit, context.RequestAborted));
            await context.Response.Body.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF });
        });

        // A whole body in the coding the path names ("zstd" is sent as it is: a coding no handler here decodes).
        app.Map("/encoded/{coding}", async (string coding, HttpContext context) =>
        {
            context.Response.ContentType = context.Request.Query["type"].FirstOrDefault() ?? "text/event-stream";
            context.Response.Headers.ContentEncoding = coding;
            await context.Response.Body.WriteAsync(Encode(coding, "data: hello\n\ndata: [DONE]\n\n"));
        });

        // Redirects with the status the path names to the address "to" names.
        app.Map("/redirect/{status:int}", (int status, HttpContext context) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = context.Request.Query["to"].ToString();
        });

        // Redirects to itself for ever.
        app.Map("/loop", (HttpContext context) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/loop";
        });

        // Says, as one event (and one body), which credentials arrived.
        app.Map("/echo", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            var headers = context.Request.Headers;
            var text = $"{context.Request.Method} auth={headers.Authorization.Count} cookie={headers.Cookie.Count} proxy={headers["Proxy-Authorization"].Count}";
            await context.Response.WriteAsync($"data: {text}\n\n");
        });

        // Starts an event, then, once the test has seen those bytes arrive (a reset would discard unread ones), drops
        // the connection in the middle of it.
        app.MapGet("/mid-frame", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: whole\n\ndata: hal");
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(_release.Task, Task.Delay(Limit, context.RequestAborted));
            context.Abort();
        });
    }

    private static byte[] Encode(string coding, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var output = new MemoryStream();
        using (Stream encoder = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new MemoryStream(),
        })
        {
            encoder.Write(bytes);
        }

        return coding is "gzip" or "deflate" or "br" ? output.ToArray() : [0x28, 0xb5, 0x2f, 0xfd, .. bytes];
    }

    /// <summary>What one request carried.</summary>
    public sealed record SeenRequest(string Method, string Path, string? Authorization, string? Cookie, string? ProxyAuthorization, string AcceptEncoding)
    {
        /// <summary>Gets a value indicating whether any credential header arrived.</summary>
        public bool HasCredentials => Authorization is not null || Cookie is not null || ProxyAuthorization is not null;
    }
}
