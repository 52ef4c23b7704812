using System.Runtime.ExceptionServices;
using RxStream.Internal;

namespace RxStream.Tests.Testing;

/// <summary>Captures what sources hand to the unhandled path while a test runs; tests using it share one collection so they never overlap.</summary>
public sealed class ObserverFaultCapture : IDisposable
{
    private readonly Action<ExceptionDispatchInfo> _previous;
    private readonly TaskCompletionSource<Exception> _fault = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ObserverFaultCapture()
    {
        _previous = ObserverFault.Handler;
        ObserverFault.Handler = fault => _fault.TrySetResult(fault.SourceException);
    }

    public Task<Exception> Fault => _fault.Task;

    public void Dispose() => ObserverFault.Handler = _previous;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObserverFaultCollection
{
    public const string Name = "Observer faults";
}
