namespace RxStream.Cli;

/// <summary>The exit codes of <c>rxstream</c>; part of its contract.</summary>
internal static class ExitCodes
{
    /// <summary>The stream ended normally: the sentinel was seen, or (without <c>--until</c>) the server ended a stream that is not reconnected, or a 204.</summary>
    public const int Success = 0;

    /// <summary>An error, reported in one line on stderr; with <c>--until</c>, a stream that ended without its sentinel (truncated) is one.</summary>
    public const int Error = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (SIGINT), after the connection was closed or aborted: 128 + SIGINT's number.</summary>
    public const int Interrupted = 130;
}
