using System.Buffers;

namespace Coffer.S3;

/// <summary>
/// A pooled buffer with exactly one owner: disposing it returns the array to its pool (and frees the upload slot it
/// holds, if any), once. Ownership moves with <see cref="Move"/>, which leaves this instance empty, so every holder
/// can simply be disposed with <c>using</c> whether or not it handed the buffer on.
/// </summary>
internal sealed class PartBuffer : IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[]? _array;
    private SemaphoreSlim? _slot;

    /// <summary>Rents a buffer of at least <paramref name="length"/> bytes; its owner also holds <paramref name="slot"/> (already entered), if given.</summary>
    public PartBuffer(ArrayPool<byte> pool, int length, SemaphoreSlim? slot = null)
        : this(pool, pool.Rent(length), 0, slot)
    {
    }

    private PartBuffer(ArrayPool<byte> pool, byte[] array, int count, SemaphoreSlim? slot)
    {
        _pool = pool;
        _array = array;
        Count = count;
        _slot = slot;
    }

    /// <summary>The bytes read into the buffer so far.</summary>
    public int Count { get; private set; }

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PartBuffer), "The buffer was returned or handed on.");

    /// <summary>A read-only stream over the bytes read so far; valid while this buffer is not disposed.</summary>
    public MemoryStream OpenRead() => new(Array, 0, Count, writable: false);

    /// <summary>Reads from <paramref name="content"/> until the buffer holds <paramref name="upTo"/> bytes or the content ends.</summary>
    /// <returns>The bytes read by this call.</returns>
    public async Task<int> FillAsync(Stream content, int upTo, CancellationToken cancellationToken)
    {
        byte[] array = Array;
        int start = Count;
        while (Count < upTo)
        {
            int read = await content.ReadAsync(array.AsMemory(Count, upTo - Count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            Count += read;
        }

        return Count - start;
    }

    /// <summary>Copies the bytes read so far into <paramref name="target"/>, after the bytes it holds.</summary>
    public void CopyTo(PartBuffer target)
    {
        Array.AsSpan(0, Count).CopyTo(target.Array.AsSpan(target.Count));
        target.Count += Count;
    }

    /// <summary>
    /// Hands the buffer to a new owner, which from then on also holds <paramref name="slot"/> (already entered)
    /// and releases it on dispose; this instance is left empty.
    /// </summary>
    public PartBuffer Move(SemaphoreSlim? slot = null)
    {
        byte[] array = Interlocked.Exchange(ref _array, null) ?? throw new ObjectDisposedException(nameof(PartBuffer), "The buffer was returned or handed on.");
        var held = Interlocked.Exchange(ref _slot, null);
        if (slot is not null)
        {
            held?.Release();
        }

        return new PartBuffer(_pool, array, Count, slot ?? held);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            _pool.Return(array);
        }

        Interlocked.Exchange(ref _slot, null)?.Release();
    }
}
