using System.Buffers;

namespace RxStream.Tests.Testing;

/// <summary>An array pool that counts the arrays rented and not yet returned, so a test can see that all went back.</summary>
public sealed class CountingArrayPool : ArrayPool<byte>
{
    private int _outstanding;
    private int _rented;

    /// <summary>Gets how many arrays are out of the pool now.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Gets how many arrays were ever rented.</summary>
    public int Rented => Volatile.Read(ref _rented);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _rented);
        return new byte[minimumLength];
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (Interlocked.Decrement(ref _outstanding) < 0)
        {
            throw new InvalidOperationException("An array went back to the pool twice.");
        }
    }
}
