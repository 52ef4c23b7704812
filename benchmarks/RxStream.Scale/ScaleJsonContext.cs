using System.Text.Json.Serialization;

namespace RxStream.Scale;

/// <summary>Serializes the results without reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LevelResult))]
[JsonSerializable(typeof(ScaleReport))]
internal sealed partial class ScaleJsonContext : JsonSerializerContext;
