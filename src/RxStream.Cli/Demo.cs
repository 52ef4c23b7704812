using System.Net.Http.Json;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using RxStream.Http;
using RxStream.Resilience;

namespace RxStream.Cli;

/// <summary>Streams a chat answer from the embedded server over each transport, rendered live through <see cref="ChatView"/>, using only RxStream's public API.</summary>
internal static class Demo
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(50);

    // stdout and stderr both show on the terminal, where their lines interleave.
    private static bool SharesTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public static async Task<int> RunAsync(IReadOnlyList<Transport> transports, CancellationToken interrupt)
    {
        await using var server = await DemoServer.StartAsync(TimeSpan.FromMilliseconds(25), interrupt).ConfigureAwait(false);
        using var client = new HttpClient(StreamObservable.CreateHttpHandler());
        Console.Error.WriteLine($"* demo server on {server.BaseAddress}");
        foreach (var transport in transports)
        {
            var status = new Subject<ConnectionStatus>();
            var (title, answer) = transport switch
            {
                Transport.Sse => ("SSE (EventSource: GET, reconnect, Last-Event-ID)", Sse(client, server, status)),
                Transport.Fetch => ("fetch (POST a JSON prompt, stop at LLM-EOF)", Fetch(client, server, status)),
                _ => ("WebSocket (send a prompt, stop at [DONE])", WebSocket(server, status)),
            };

            // The title says which transport the answer below it came from; on stdout too when stdout is not the
            // terminal stderr goes to, so that a redirected output still tells the three answers apart.
            Console.Error.WriteLine();
            Console.Error.WriteLine($"== {title}");
            if (!SharesTerminal)
            {
                Console.Out.WriteLine($"== {title}");
            }

            // Fetch and WebSocket report only their opening; say that they are connecting as SSE does, so no
            // transport starts with the view's unexplained initial status.
            var shown = transport == Transport.Sse ? (IObservable<ConnectionStatus>)status : status.StartWith(new ConnectionStatus.Connecting(1));
            var exit = await RenderAsync(answer, shown, interrupt).ConfigureAwait(false);
            if (exit != ExitCodes.Success)
            {
                return exit;
            }
        }

        return ExitCodes.Success;
    }

    private static async Task<int> RenderAsync(IObservable<string> answer, IObservable<ConnectionStatus> status, CancellationToken interrupt)
    {
        var renderer = new DemoRenderer(Console.Out, Console.Error, SharesTerminal);
        // How the answer ended is said once, by the final frame's "done" or "failed", not by a "closed" too.
        using var reports = status.Where(s => s is not ConnectionStatus.Closed).Subscribe(s => renderer.Report(s.ToString()));
        using var view = new ChatView(answer, status, Frame, TaskPoolScheduler.Default);
        var finished = new TaskCompletionSource<RxStream.Ui.AnswerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var rendering = view.Frames.Subscribe(frame =>
        {
            if (renderer.Render(frame))
            {
                finished.TrySetResult(frame);
            }
        });
        using var cancel = interrupt.Register(view.Cancel);
        var last = await finished.Task.ConfigureAwait(false);
        return interrupt.IsCancellationRequested ? ExitCodes.Interrupted : last.Error is null ? ExitCodes.Success : ExitCodes.Error;
    }

    private static IObservable<string> Sse(HttpClient client, DemoServer server, IObserver<ConnectionStatus> status) =>
        StreamObservable.EventSource(client, new Uri(server.BaseAddress, "sse/chat"), new EventSourceOptions { Reconnect = new ReconnectOptions { Status = status } })
            .TakeUntilSentinel(e => e.Data == DemoServer.SseSentinel)
            .Select(e => e.Data);

    private static IObservable<string> Fetch(HttpClient client, DemoServer server, IObserver<ConnectionStatus> status) =>
        StreamObservable.Fetch(
                client,
                () => new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "fetch/chat")) { Content = JsonContent.Create(new { prompt = "What is RxStream?" }) },
                new FetchOptions { OnOpen = start => status.OnNext(new ConnectionStatus.Open(1, start)) })
            .DecodeUtf8()
            .TakeUntilSentinel(DemoServer.BodySentinel);

    private static IObservable<string> WebSocket(DemoServer server, IObserver<ConnectionStatus> status)
    {
        var url = new Uri(server.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws/chat");
        var socket = StreamObservable.WebSocket(url, new RxStream.WebSockets.WebSocketConnectOptions
        {
            OnOpen = _ => status.OnNext(new ConnectionStatus.Open(1, "websocket")),
        });
        return Observable.Create<string>(observer =>
        {
            var subscription = socket
                .TakeUntilSentinel(message => message.GetString() == DemoServer.WebSocketSentinel)
                .Select(message => message.GetString())
                .Subscribe(observer);

            // Sent right after subscribing: the send waits for the connection to open, then goes out first.
            _ = AskAsync(socket);
            return subscription;
        });
    }

    // Not awaited by the stream; it fails only when the connection ended first, which the stream itself reports.
    private static async Task AskAsync(RxStream.WebSockets.WebSocketConnection socket)
    {
        try
        {
            await socket.SendAsync("What is RxStream?").ConfigureAwait(false);
        }
        catch (RxStream.WebSockets.WebSocketNotOpenException)
        {
        }
    }
}
