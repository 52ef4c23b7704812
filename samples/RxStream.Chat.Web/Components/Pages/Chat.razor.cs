using System.Reactive.Subjects;
using Microsoft.AspNetCore.Components;
using RxStream.Chat.Web.Backend;
using RxStream.Resilience;
using RxStream.Ui;

namespace RxStream.Chat.Web.Components.Pages;

/// <summary>The chat page: a prompt, a transport, Send and Stop, and the answer as it streams, rendered at most once per frame.</summary>
/// <remarks>
/// All the streaming logic is RxStream's <see cref="AnswerView"/>: Send starts one, Stop stops it (disposal aborts
/// the request), and leaving the page (a refresh, a navigation, a closed tab) disposes it with the component.
/// </remarks>
public sealed partial class Chat : IDisposable
{
    private AnswerView? _view;
    private IDisposable? _rendering;
    private bool _disposed;

    [Inject]
    private IChatBackend Backend { get; set; } = null!;

    [Inject]
    private FrameSettings Frames { get; set; } = null!;

    private string Prompt { get; set; } = "What is RxStream?";

    private ChatTransport Transport { get; set; }

    // The snapshot on screen; null before the first Send.
    private AnswerFrame? Frame { get; set; }

    private bool Running => Frame is { IsFinal: false };

    // Before the circuit is up (the prerendered page) a click would post the form instead of streaming.
    private bool CanSend => RendererInfo.IsInteractive && !Running && !string.IsNullOrWhiteSpace(Prompt);

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _rendering?.Dispose();
        _view?.Dispose();
    }

    /// <inheritdoc/>
    protected override void OnInitialized() => Transport = Backend.Transports[0];

    private static string Label(ChatTransport transport) => transport switch
    {
        ChatTransport.Sse => "SSE (EventSource, reconnects)",
        ChatTransport.Fetch => "fetch (POST, LLM-EOF)",
        ChatTransport.WebSocket => "WebSocket",
        _ => "OpenAI-compatible API",
    };

    private void Send()
    {
        if (!CanSend)
        {
            return;
        }

        _rendering?.Dispose();
        _view?.Dispose();

        // The statuses are a hot subject the answer's connection reports to; the view subscribes to it first.
        var status = new Subject<ConnectionStatus>();
        _view = new AnswerView(Backend.Answer(Transport, Prompt, status), status, Frames.Frame, Frames.Scheduler);
        Frame = _view.Current;
        _rendering = _view.Frames.Subscribe(frame => _ = InvokeAsync(() => Render(frame)));
    }

    private void Stop() => _view?.Stop();

    // Snapshots come from the stream's threads; this runs on the circuit's, in the order they were posted.
    private void Render(AnswerFrame frame)
    {
        if (_disposed)
        {
            return;
        }

        Frame = frame;
        StateHasChanged();
    }
}
