namespace RxStream.Chat.Web.Backend;

/// <summary>Configures an OpenAI-compatible chat completions endpoint (section <c>Chat:OpenAI</c>); the key comes from configuration (an environment variable such as <c>Chat__OpenAI__ApiKey</c>), never from source.</summary>
public sealed class OpenAiOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chat:OpenAI";

    /// <summary>Gets or sets the API's base address, such as <c>https://api.openai.com/v1/</c>; the page offers the transport only when it is set.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the bearer key, or <see langword="null"/> for a local server that needs none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the model to ask.</summary>
    public string Model { get; set; } = "gpt-4o-mini";
}
