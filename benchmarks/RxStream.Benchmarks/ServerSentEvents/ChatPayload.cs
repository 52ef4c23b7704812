using System.Text.Json.Serialization;

namespace RxStream.Benchmarks.ServerSentEvents;

/// <summary>An OpenAI-style streamed completion chunk: <c>{"choices":[{"delta":{"content":"…"}}]}</c>.</summary>
internal sealed record ChatChunk(ChatChoice[] Choices)
{
    /// <summary>Adds up the length of every choice's content, so both sides of a benchmark do the same work with the payload.</summary>
    public int ContentLength()
    {
        var length = 0;
        foreach (var choice in Choices)
        {
            length += choice.Delta.Content?.Length ?? 0;
        }

        return length;
    }
}

/// <summary>One choice of a <see cref="ChatChunk"/>.</summary>
internal sealed record ChatChoice(ChatDelta Delta);

/// <summary>The text a <see cref="ChatChoice"/> adds.</summary>
internal sealed record ChatDelta(string? Content);

/// <summary>The source-generated metadata both sides of the JSON benchmarks use, so neither pays for reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChatChunk))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
