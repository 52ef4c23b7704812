// One Coyote testing engine at a time: each takes over the scheduling of the tasks it controls, and a run's
// iterations are its time budget, not something to share with another engine's.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
