using CsCheck;

namespace RxStream.Tests.Testing;

/// <summary>Runs CsCheck properties on a fixed sequence of samples, so every run (CI included) checks the same inputs.</summary>
/// <remarks>
/// CsCheck's own <c>Sample(..., seed:)</c> uses the seed for the first iteration only and draws the rest from a
/// clock-seeded generator on several threads. Here every sample comes from one PCG stream started at the pinned seed.
/// A failure names the failing sample's own seed: pass it to <c>Sample(..., seed:)</c> to replay and shrink it.
/// <para>The environment variable <c>RXSTREAM_PROPERTY_ITERATIONS</c>, when set, caps the count (scripts/mutation sets
/// it, as every mutant runs the properties again). The samples are then a prefix of the full run's, so whatever the
/// short run catches the full one catches too.</para>
/// </remarks>
public static class Seeded
{
    /// <summary>Gets how many samples a property asked for <paramref name="iter"/> samples runs here.</summary>
    public static int Iterations(int iter) =>
        int.TryParse(Environment.GetEnvironmentVariable("RXSTREAM_PROPERTY_ITERATIONS"), out var cap) && cap > 0 ? Math.Min(cap, iter) : iter;

    /// <summary>Checks <paramref name="property"/> on <paramref name="iter"/> samples drawn from <paramref name="seed"/>.</summary>
    public static void SampleSeeded<T>(this Gen<T> gen, Action<T> property, string seed, int iter)
    {
        var pcg = PCG.Parse(seed);
        var count = Iterations(iter);
        for (var i = 0; i < count; i++)
        {
            var state = pcg.State;
            var sample = gen.Generate(pcg, null, out _);
            try
            {
                property(sample);
            }
            catch (Exception error)
            {
                throw new Xunit.Sdk.XunitException($"Sample {i} of seed \"{seed}\" failed; replay and shrink it with Sample(..., seed: \"{pcg.ToString(state)}\").{Environment.NewLine}{error.Message}", error);
            }
        }
    }

    /// <summary>Checks that <paramref name="property"/> holds on <paramref name="iter"/> samples drawn from <paramref name="seed"/>.</summary>
    public static void SampleSeeded<T>(this Gen<T> gen, Func<T, bool> property, string seed, int iter) =>
        gen.SampleSeeded(sample => Assert.True(property(sample), "The property returned false."), seed, iter);
}
