using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RxStream.Tests.Testing;

namespace RxStream.Tests.Cli;

/// <summary>Runs the built <c>rxstream</c> with <c>--stats</c> against Kestrel on 127.0.0.1 and checks its summary line on stderr.</summary>
public sealed partial class StatsProcessTests : IAsyncLifetime
{
    // Two connections end normally (EventSource reconnects after each), the third answers 204, which stops it.
    private const string FirstBody = "retry: 1\ndata: one\n\n";
    private const string SecondBody = "data: two\n\ndata: three\n\n";
    private const string FetchBody = "héllo wörld";

    private LoopbackServer _server = null!;
    private int _connections;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/sse/twice", async (HttpContext context) =>
            {
                var connection = Interlocked.Increment(ref _connections);
                if (connection > 2)
                {
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                }

                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(connection == 1 ? FirstBody : SecondBody);
            });
            app.MapGet("/fetch/text", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(FetchBody);
            });
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sse_StatsAfterTwoReconnects_PrintsOneSummaryLineWithEveryFigure()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("sse", _server.Url("/sse/twice").ToString(), "--stats", "--quiet");

        Assert.Equal(0, exit);
        Assert.Equal("one\ntwo\nthree\n", stdout);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        var match = SummaryPattern().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal("3", match.Groups["items"].Value);
        Assert.Equal(Encoding.UTF8.GetByteCount(FirstBody + SecondBody).ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups["bytes"].Value);
        Assert.Equal("2 reconnects", match.Groups["reconnects"].Value);
        Assert.True(int.Parse(match.Groups["firstItem"].Value, System.Globalization.CultureInfo.InvariantCulture) >= int.Parse(match.Groups["firstByte"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(@"^(\d+\.\d|-)$", match.Groups["rate"].Value);
    }

    [Fact]
    public async Task Fetch_Stats_CountsBodyBytesAndReads()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/text").ToString(), "--stats");

        Assert.Equal(0, exit);
        Assert.Equal(FetchBody, stdout);
        var line = Assert.Single(stderr.Split('\n'), l => l.StartsWith("* stats:", StringComparison.Ordinal));
        var match = SummaryPattern().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(Encoding.UTF8.GetByteCount(FetchBody).ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups["bytes"].Value);
        Assert.NotEqual("0", match.Groups["items"].Value);
        Assert.Equal("0 reconnects", match.Groups["reconnects"].Value);
    }

    [Fact]
    public async Task Fetch_WithoutStats_PrintsNoSummary()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync("fetch", _server.Url("/fetch/text").ToString());

        Assert.Equal(0, exit);
        Assert.DoesNotContain("stats:", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\* stats: first byte (?<firstByte>\d+) ms, first item (?<firstItem>\d+) ms, (?<items>\d+) items, (?<rate>\S+) items/s, (?<bytes>\d+) bytes, (?<reconnects>\d+ reconnects?)$")]
    private static partial Regex SummaryPattern();
}
