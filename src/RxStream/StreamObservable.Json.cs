using System.Diagnostics.CodeAnalysis;
using System.Reactive.Linq;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RxStream.Json;
using RxStream.ServerSentEvents;

namespace RxStream;

public static partial class StreamObservable
{
    /// <summary>Deserializes each event's data as JSON, from its UTF-8 bytes when the event holds them.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="source">The events.</param>
    /// <param name="typeInfo">The payload's type metadata (from a <c>JsonSerializerContext</c>), for trimming and native AOT.</param>
    /// <returns>One payload per event.</returns>
    /// <remarks>Parse with <see cref="SseDataFormat.Utf8"/> so no string is made. A bad payload fails the sequence with <see cref="JsonPayloadException"/> naming the event ID and showing the payload's start.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public static IObservable<T> DeserializeJson<T>(this IObservable<SseEvent> source, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return source.Select(item => DeserializeEvent(item, typeInfo));
    }

    /// <summary>Deserializes each event's data as JSON with reflection-based options.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="source">The events.</param>
    /// <param name="options">The serializer options; <see cref="JsonSerializerOptions.Web"/> when <see langword="null"/>.</param>
    /// <returns>One payload per event.</returns>
    /// <remarks>See <see cref="DeserializeJson{T}(IObservable{SseEvent}, JsonTypeInfo{T})"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo overload for trimming.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo overload for native AOT.")]
    public static IObservable<T> DeserializeJson<T>(this IObservable<SseEvent> source, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.DeserializeJson((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)));
    }

    /// <summary>Deserializes each line of a newline-delimited JSON (NDJSON) byte stream, straight from its UTF-8 bytes.</summary>
    /// <typeparam name="T">The type of each line.</typeparam>
    /// <param name="source">The bytes, split anyhow.</param>
    /// <param name="typeInfo">The line type's metadata, for trimming and native AOT.</param>
    /// <param name="options">The longest line accepted, in bytes (<see cref="JsonLinesOptions.DefaultMaxLineBytes"/> when <see langword="null"/>); longer fails with <see cref="StreamLimitExceededException"/>.</param>
    /// <returns>One item per non-blank line.</returns>
    /// <remarks>A bad line fails the sequence with <see cref="JsonPayloadException"/> naming the line number, after the items already emitted.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public static IObservable<T> ParseJsonLines<T>(this IObservable<Chunk> source, JsonTypeInfo<T> typeInfo, JsonLinesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonLinesOperator<T>(source, typeInfo, (options ?? new JsonLinesOptions()).MaxLineLength);
    }

    /// <summary>Deserializes each line of a newline-delimited JSON (NDJSON) byte stream with reflection-based options.</summary>
    /// <typeparam name="T">The type of each line.</typeparam>
    /// <param name="source">The bytes, split anyhow.</param>
    /// <param name="serializerOptions">The serializer options; <see cref="JsonSerializerOptions.Web"/> when <see langword="null"/>.</param>
    /// <param name="options">The longest line accepted, in bytes (<see cref="JsonLinesOptions.DefaultMaxLineBytes"/> when <see langword="null"/>).</param>
    /// <returns>One item per non-blank line.</returns>
    /// <remarks>See <see cref="ParseJsonLines{T}(IObservable{Chunk}, JsonTypeInfo{T}, JsonLinesOptions?)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo overload for trimming.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo overload for native AOT.")]
    public static IObservable<T> ParseJsonLines<T>(this IObservable<Chunk> source, JsonSerializerOptions? serializerOptions = null, JsonLinesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.ParseJsonLines((JsonTypeInfo<T>)(serializerOptions ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)), options);
    }

    /// <summary>Deserializes each whole message (a WebSocket message, say) as JSON, straight from its UTF-8 bytes.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="messages">The messages, one chunk each (<see cref="Chunk.IsEndOfMessage"/>).</param>
    /// <param name="typeInfo">The message type's metadata (from a <c>JsonSerializerContext</c>), for trimming and native AOT.</param>
    /// <returns>One item per message.</returns>
    /// <remarks>
    /// A bad message fails the sequence with <see cref="JsonPayloadException"/> naming the message's number (from 1) and
    /// showing its start, after the items already emitted. A chunk that is not a whole message (a byte stream's, or a
    /// frame in frame mode) fails it with <see cref="InvalidOperationException"/>: read a byte stream with
    /// <see cref="ParseJsonLines{T}(IObservable{Chunk}, JsonTypeInfo{T}, JsonLinesOptions?)"/> instead.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public static IObservable<T> DeserializeJson<T>(this IObservable<Chunk> messages, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return messages.Select((message, index) => DeserializeMessage(message, index + 1, typeInfo));
    }

    /// <summary>Deserializes each whole message as JSON with reflection-based options.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="messages">The messages, one chunk each.</param>
    /// <param name="options">The serializer options; <see cref="JsonSerializerOptions.Web"/> when <see langword="null"/>.</param>
    /// <returns>One item per message.</returns>
    /// <remarks>See <see cref="DeserializeJson{T}(IObservable{Chunk}, JsonTypeInfo{T})"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo overload for trimming.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo overload for native AOT.")]
    public static IObservable<T> DeserializeJson<T>(this IObservable<Chunk> messages, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.DeserializeJson((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)));
    }

    private static T DeserializeMessage<T>(Chunk message, int number, JsonTypeInfo<T> typeInfo)
    {
        if (!message.IsEndOfMessage)
        {
            throw new InvalidOperationException(
                $"Chunk {number} is not a whole message ({message.Kind}); DeserializeJson reads one message per chunk. Use ParseJsonLines for a byte stream.");
        }

        try
        {
            return JsonSerializer.Deserialize(message.Span, typeInfo)!;
        }
        catch (JsonException error)
        {
            throw new JsonPayloadException(JsonPayloadOrigin.Message, $"message {number}", message.GetString(), error);
        }
    }

    private static T DeserializeEvent<T>(SseEvent item, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return item.HoldsUtf8
                ? JsonSerializer.Deserialize(item.DataUtf8.Span, typeInfo)!
                : JsonSerializer.Deserialize(item.Data, typeInfo)!;
        }
        catch (JsonException error)
        {
            var source = item.LastEventId.Length == 0 ? $"the {item.EventType} event" : $"event #{item.LastEventId}";
            throw new JsonPayloadException(JsonPayloadOrigin.ServerSentEvent, source, item.Data, error);
        }
    }
}
