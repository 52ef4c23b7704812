using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RxStream.Tests.Testing;

/// <summary>A user's JSON converter with a bug: it throws something other than <see cref="JsonException"/>.</summary>
public sealed class ThrowingConverter : JsonConverter<Guid>
{
    public static readonly InvalidOperationException Bug = new("the converter's bug");

    /// <summary>Gets type metadata for <see cref="Guid"/> that reads through this converter.</summary>
    public static JsonTypeInfo<Guid> TypeInfo { get; } =
        (JsonTypeInfo<Guid>)new JsonSerializerOptions { Converters = { new ThrowingConverter() }, TypeInfoResolver = new DefaultJsonTypeInfoResolver() }.GetTypeInfo(typeof(Guid));

    public override Guid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw Bug;

    public override void Write(Utf8JsonWriter writer, Guid value, JsonSerializerOptions options) => throw Bug;
}
