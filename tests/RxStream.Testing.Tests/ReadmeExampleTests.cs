namespace RxStream.Testing.Tests;

/// <summary>Runs the README's "Testing code that streams" example test, compiled out of README.md by RxStream.ReadmeSamples.</summary>
public sealed class ReadmeExampleTests : ReadmeExamples.AnswerViewModelTests;
