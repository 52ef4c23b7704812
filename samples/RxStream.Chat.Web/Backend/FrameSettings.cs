using System.Reactive.Concurrency;

namespace RxStream.Chat.Web.Backend;

/// <summary>Holds how often the page may render a streaming answer, and the scheduler that keeps that time (a virtual one in tests).</summary>
/// <param name="Frame">The shortest time between two renders of the answer.</param>
/// <param name="Scheduler">The scheduler that times the frames.</param>
public sealed record FrameSettings(TimeSpan Frame, IScheduler Scheduler);
