namespace RxStream.Testing.Internal;

/// <summary>Runs the client's continuations on the thread that moves the scripted server, whatever that thread's context.</summary>
/// <remarks>
/// A test advances the clock on its own thread, which often has a <see cref="SynchronizationContext"/> (xunit installs
/// one for every async test). On such a thread .NET does not run a completed task's <c>ConfigureAwait(false)</c>
/// continuations inline: it queues them to the thread pool, and the client's reaction to a part, a drop or a
/// cancellation would then run after <c>AdvanceBy</c> had returned, racing the test. Each step a scripted server takes
/// (and each cancellation it answers) runs without that context, so the client reacts within the step, at its virtual
/// time.
/// </remarks>
internal static class Inline
{
    /// <summary>Runs <paramref name="step"/> with no <see cref="SynchronizationContext"/>, restoring the caller's afterwards.</summary>
    public static void Run(Action step)
    {
        var caller = SynchronizationContext.Current;
        if (caller is null)
        {
            step();
            return;
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            step();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(caller);
        }
    }

    /// <summary>Wraps <paramref name="step"/> so that it runs as <see cref="Run"/> does: for a scheduled step.</summary>
    public static Action Step(Action step) => () => Run(step);
}
