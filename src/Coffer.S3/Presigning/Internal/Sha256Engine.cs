using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Coffer.S3.Presigning.Internal;

/// <summary>
/// SHA-256 and HMAC-SHA256 for the presigner's hot path: one hash of the canonical request and one HMAC of the
/// string to sign, both without allocation and without shared mutable state.
/// </summary>
/// <remarks>
/// Through .NET's crypto APIs these two calls cost about 1 µs on OpenSSL 3 (the EVP layer sets up and tears
/// down a context per call), while the compression work itself is a few dozen nanoseconds per block with
/// SHA-NI. Where libcrypto's low-level <c>SHA256_Init/Update/Final</c> are exported (Linux with OpenSSL 1.1 or 3),
/// <see cref="NativeSha256Engine"/> calls them directly and keeps HMAC's inner and outer midstates per signing
/// key, so an HMAC costs only the blocks of its message. It is used only after a known-answer self-test against
/// <see cref="SHA256"/> and <see cref="HMACSHA256"/>; everywhere else <see cref="PortableSha256Engine"/> uses the
/// one-shot .NET APIs.
/// </remarks>
internal abstract class Sha256Engine
{
    private static Sha256Engine? s_default;

    /// <summary>The fastest engine that passed its self-test on this machine.</summary>
    public static Sha256Engine Default => s_default ??= (Sha256Engine?)NativeSha256Engine.TryCreate() ?? PortableSha256Engine.Instance;

    /// <summary>Short name for diagnostics and benchmarks.</summary>
    public abstract string Name { get; }

    /// <summary>SHA-256 of <paramref name="data"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public abstract void Hash(ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>Prepares <paramref name="key"/> for repeated HMACs.</summary>
    public abstract HmacKey CreateHmacKey(ReadOnlySpan<byte> key);

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/> into <paramref name="destination"/>.</summary>
    public abstract void Hmac(HmacKey key, ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>A key prepared by one engine; immutable, shareable across threads.</summary>
    internal abstract class HmacKey;
}

/// <summary>One-shot .NET APIs: portable, allocation-free, slower on OpenSSL 3.</summary>
internal sealed class PortableSha256Engine : Sha256Engine
{
    public static readonly PortableSha256Engine Instance = new();

    public override string Name => "portable";

    public override void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => SHA256.HashData(data, destination);

    public override HmacKey CreateHmacKey(ReadOnlySpan<byte> key) => new Key(key.ToArray());

    public override void Hmac(HmacKey key, ReadOnlySpan<byte> data, Span<byte> destination) =>
        HMACSHA256.HashData(((Key)key).Bytes, data, destination);

    private sealed class Key(byte[] bytes) : HmacKey
    {
        public byte[] Bytes { get; } = bytes;
    }
}

/// <summary>libcrypto's low-level SHA-256 through function pointers, HMAC from cached midstates.</summary>
internal sealed unsafe class NativeSha256Engine : Sha256Engine
{
    // sizeof(SHA256_CTX) is 112 in OpenSSL 1.1 and 3.x; a little headroom costs nothing.
    private const int ContextSize = 128;
    private const int BlockSize = 64;

    // Calls shorter than this skip the GC transition (a few hundred ns of work at most); longer ones do not.
    private const int SuppressTransitionLimit = 1024;

    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, int> _init;
    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> _updateShort;
    private readonly delegate* unmanaged<byte*, byte*, nuint, int> _updateLong;
    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> _final;

    private NativeSha256Engine(nint init, nint update, nint final)
    {
        _init = (delegate* unmanaged[SuppressGCTransition]<byte*, int>)init;
        _updateShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
        _updateLong = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
        _final = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)final;
    }

    public override string Name => "libcrypto";

    /// <summary>Loads libcrypto and self-tests; <see langword="null"/> when unavailable or wrong in any way.</summary>
    public static NativeSha256Engine? TryCreate()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("COFFER_PRESIGN_PORTABLE_HASH") == "1")
        {
            return null;
        }

        foreach (string name in new[] { "libcrypto.so.3", "libcrypto.so.1.1" })
        {
            if (!NativeLibrary.TryLoad(name, out nint library))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(library, "SHA256_Init", out nint init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out nint update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out nint final))
            {
                var engine = new NativeSha256Engine(init, update, final);
                if (engine.SelfTest())
                {
                    return engine; // the library stays loaded for the life of the process
                }
            }

            NativeLibrary.Free(library);
        }

        return null;
    }

    public override void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 32);
        byte* ctx = stackalloc byte[ContextSize];
        fixed (byte* d = data)
        fixed (byte* o = destination)
        {
            _init(ctx);
            Update(ctx, d, data.Length);
            _final(o, ctx);
        }
    }

    public override HmacKey CreateHmacKey(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[BlockSize];
        block.Clear();
        if (key.Length > BlockSize)
        {
            Hash(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        var midstates = new byte[2 * ContextSize];
        Span<byte> pad = stackalloc byte[BlockSize];
        fixed (byte* states = midstates)
        fixed (byte* p = pad)
        {
            for (int i = 0; i < BlockSize; i++)
            {
                pad[i] = (byte)(block[i] ^ 0x36);
            }

            _init(states);
            _updateShort(states, p, BlockSize);
            for (int i = 0; i < BlockSize; i++)
            {
                pad[i] = (byte)(block[i] ^ 0x5c);
            }

            _init(states + ContextSize);
            _updateShort(states + ContextSize, p, BlockSize);
        }

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(pad);
        return new Midstates(midstates);
    }

    public override void Hmac(HmacKey key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 32);
        byte* ctx = stackalloc byte[ContextSize];
        byte* inner = stackalloc byte[32];
        fixed (byte* states = ((Midstates)key).Bytes)
        fixed (byte* d = data)
        fixed (byte* o = destination)
        {
            Buffer.MemoryCopy(states, ctx, ContextSize, ContextSize);
            Update(ctx, d, data.Length);
            _final(inner, ctx);
            Buffer.MemoryCopy(states + ContextSize, ctx, ContextSize, ContextSize);
            _updateShort(ctx, inner, 32);
            _final(o, ctx);
        }
    }

    private void Update(byte* ctx, byte* data, int length)
    {
        if (length <= SuppressTransitionLimit)
        {
            _updateShort(ctx, data, (nuint)length);
        }
        else
        {
            _updateLong(ctx, data, (nuint)length);
        }
    }

    private bool SelfTest()
    {
        try
        {
            var random = new Random(20130524);
            Span<byte> expected = stackalloc byte[32];
            Span<byte> actual = stackalloc byte[32];
            foreach (int length in new[] { 0, 1, 55, 56, 63, 64, 65, 119, 200, 1500 })
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                SHA256.HashData(data, expected);
                Hash(data, actual);
                if (!expected.SequenceEqual(actual))
                {
                    return false;
                }

                foreach (int keyLength in new[] { 32, 70 })
                {
                    byte[] key = new byte[keyLength];
                    random.NextBytes(key);
                    HMACSHA256.HashData(key, data, expected);
                    Hmac(CreateHmacKey(key), data, actual);
                    if (!expected.SequenceEqual(actual))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
#pragma warning disable CA1031 // any failure of the native path means: use the portable one
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private sealed class Midstates(byte[] bytes) : HmacKey
    {
        public byte[] Bytes { get; } = bytes;
    }
}
