namespace RxStream.Tests.Testing;

/// <summary>A UI thread's context that counts what is posted to it and never runs it, as a blocked UI thread would.</summary>
public sealed class PostCountingContext : SynchronizationContext
{
    private int _posts;

    /// <summary>Gets how many callbacks were posted or sent.</summary>
    public int Posts => Volatile.Read(ref _posts);

    public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);

    public override void Send(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);
}
