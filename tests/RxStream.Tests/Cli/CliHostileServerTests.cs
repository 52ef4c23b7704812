using RxStream.Tests.Testing;

namespace RxStream.Tests.Cli;

/// <summary>Runs the built <c>rxstream</c> against a server that compresses and redirects across origins: curl's <c>-L</c> without its old credential leaks.</summary>
public sealed class CliHostileServerTests : IAsyncLifetime
{
    private HostileServer _server = null!;
    private HostileServer _other = null!;

    public async Task InitializeAsync()
    {
        _server = await HostileServer.StartAsync();
        _other = await HostileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Theory]
    [InlineData("sse", 302)]
    [InlineData("sse", 307)]
    [InlineData("fetch", 301)]
    [InlineData("fetch", 308)]
    public async Task Cli_RedirectToAnotherOrigin_FollowsItWithoutTheCredentials(string command, int status)
    {
        var url = _server.Url($"/redirect/{status}?to={Uri.EscapeDataString(_other.Url("/echo").ToString())}");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(
            command, url.ToString(), "--no-reconnect", "-q",
            "-H", "Authorization: Bearer secret-token", "-H", "Cookie: session=secret", "-H", "Proxy-Authorization: Basic c2VjcmV0");

        Assert.True(exit == 0, stderr);
        Assert.Contains("GET auth=0 cookie=0 proxy=0", stdout, StringComparison.Ordinal);
        Assert.True(_server.Seen.Single().HasCredentials);
        Assert.False(_other.Seen.Single().HasCredentials);
    }

    [Fact]
    public async Task Cli_RedirectWithinTheOrigin_KeepsTheCredentials()
    {
        var url = _server.Url($"/redirect/302?to={Uri.EscapeDataString("/echo")}");

        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", url.ToString(), "--no-reconnect", "-q", "-H", "Cookie: session=secret");

        Assert.True(exit == 0, stderr);
        Assert.Equal("GET auth=0 cookie=1 proxy=0\n", stdout);
    }

    [Fact]
    public async Task Cli_GzipBody_PrintsTheDecodedText()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/encoded/gzip?type=text/plain").ToString(), "-q");

        Assert.True(exit == 0, stderr);
        Assert.Equal("data: hello\n\ndata: [DONE]\n\n", stdout);
    }

    [Theory]
    [InlineData("fetch")]
    [InlineData("sse")]
    public async Task Cli_BodyInACodingItCannotDecode_ExitsOneWithOneLineNamingIt(string command)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(command, _server.Url("/encoded/zstd").ToString(), "-q");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("'zstd'", line, StringComparison.Ordinal);
        Assert.Single(_server.Seen);
    }

    [Fact]
    public async Task Cli_RedirectLoop_ExitsOneWithOneLine()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync("sse", _server.Url("/loop").ToString(), "-q");

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("redirected more than 20 times", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sse")]
    [InlineData("fetch")]
    public async Task Cli_MaxRedirsZero_RefusesTheRedirectWithOneLineNamingIt(string command)
    {
        var url = _server.Url($"/redirect/302?to={Uri.EscapeDataString(_other.Url("/echo").ToString())}");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(command, url.ToString(), "--max-redirs", "0", "--no-reconnect", "-q");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("HTTP 302", line, StringComparison.Ordinal);
        Assert.Single(_server.Seen);
        Assert.Empty(_other.Seen);
    }

    [Fact]
    public async Task Cli_MaxRedirsTwo_FollowsTwoThenStops()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/loop").ToString(), "--max-redirs", "2", "-q");

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("redirected more than 2 times", line, StringComparison.Ordinal);
        Assert.Equal(3, _server.Seen.Count);
    }

    [Theory]
    [InlineData("ws", "ws://127.0.0.1:1/", "1")]
    [InlineData("sse", "http://127.0.0.1:1/", "-1")]
    public async Task Cli_MaxRedirsOnWsOrNegative_IsAUsageError(string command, string url, string value)
    {
        var (exit, _, _) = await CliProcess.RunAsync(command, url, "--max-redirs", value);

        Assert.Equal(2, exit);
    }
}
