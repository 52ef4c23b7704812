using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using RxStream.Testing.Internal;

namespace RxStream.Testing.Http;

/// <summary>Holds the answer a scripted server owes one request: the steps scheduled for it, the response given at its scripted time, and the cancellation of both with the request.</summary>
/// <remarks>The HTTP handler and the WebSocket double answer a request the same way; only what their steps play differs.</remarks>
internal sealed class PendingResponse
{
    // Not RunContinuationsAsynchronously: the client's await goes on within the step that answers it.
    private readonly TaskCompletionSource<HttpResponseMessage> _response = new();
    private readonly CompositeDisposable _scheduled = [];
    private readonly ScriptedBody _body;
    private readonly CancellationToken _cancellationToken;

    /// <summary>Initializes the answer whose content will be <paramref name="body"/>, cancelled with <paramref name="cancellationToken"/>.</summary>
    public PendingResponse(ScriptedBody body, CancellationToken cancellationToken)
    {
        _body = body;
        _cancellationToken = cancellationToken;

        // Whatever the client does, once it lets go of the body nothing more is scheduled for it.
        body.Disposed += _scheduled.Dispose;
        _scheduled.Add(cancellationToken.UnsafeRegister(static state => Inline.Run(((PendingResponse)state!).Cancel), this));
    }

    /// <summary>Gets the task the client awaits.</summary>
    public Task<HttpResponseMessage> Task => _response.Task;

    /// <summary>Schedules <paramref name="step"/> at <paramref name="dueTime"/> after now, to run as <see cref="Inline.Step"/> says, unless the client lets go of the body first.</summary>
    public void Schedule(IScheduler scheduler, TimeSpan dueTime, Action step) => _scheduled.Add(scheduler.Schedule(dueTime, Inline.Step(step)));

    /// <summary>Gives the client <paramref name="message"/>, and waits until it is back at the body before the step ends; disposes the message if the request was cancelled first.</summary>
    public void Answer(HttpResponseMessage message)
    {
        // The client awaits the task on its own thread; if it had not awaited yet when it completes, it goes on
        // there, so wait until it is back at the body (or has let it go) before the clock moves on.
        _body.BeginStep();
        if (_response.TrySetResult(message))
        {
            _body.WaitUntilSettled(alreadyReset: true);
        }
        else
        {
            message.Dispose();
        }
    }

    private void Cancel()
    {
        if (_response.TrySetCanceled(_cancellationToken))
        {
            _body.Dispose();
        }
    }
}
