using System.Buffers;
using System.Text;

namespace Coffer.S3.Presigning.Internal;

/// <summary>
/// SigV4's URI encoding, written straight into a byte buffer: RFC 3986 unreserved characters
/// (<c>A-Z a-z 0-9 - _ . ~</c>) stay, everything else becomes UTF-8 <c>%XX</c> with upper-case hex.
/// Object keys keep <c>/</c> as the segment separator; query values encode it.
/// </summary>
internal static class S3UriEncoder
{
    /// <summary>The most bytes the UTF-8 form of an S3 object key may have.</summary>
    public const int MaxKeyUtf8Bytes = 1024;

    private static readonly SearchValues<char> UnreservedChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    private static readonly SearchValues<char> UnreservedOrSlashChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/");

    private static ReadOnlySpan<byte> HexUpper => "0123456789ABCDEF"u8;

    /// <summary>An upper bound of the encoded length of <paramref name="length"/> UTF-16 chars.</summary>
    public static int MaxEncodedLength(int length) => 9 * length;

    /// <summary>
    /// Checks that <paramref name="key"/> is a key an S3 URL carries unchanged and encodes it into
    /// <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/> bytes).
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The key is empty, too long, not valid UTF-16, or has a segment that URLs normalise away.</exception>
    public static int EncodeKey(string key, Span<byte> destination)
    {
        ValidateKeyShape(key);
        int written = Encode(key, UnreservedOrSlashChars, destination, out int utf8Length, out bool invalidUtf16);
        if (invalidUtf16)
        {
            throw new ArgumentException($"The object key '{key}' is not valid UTF-16 (it has an unpaired surrogate), so it has no UTF-8 form that S3 can store.", nameof(key));
        }

        if (utf8Length > MaxKeyUtf8Bytes)
        {
            throw new ArgumentException($"The object key is {utf8Length} bytes long in UTF-8; S3 keys have at most {MaxKeyUtf8Bytes}.", nameof(key));
        }

        return written;
    }

    /// <summary>Encodes a query-string value; <c>/</c> is encoded too.</summary>
    /// <exception cref="ArgumentException">The value is not valid UTF-16.</exception>
    public static int EncodeValue(string value, Span<byte> destination, string paramName)
    {
        int written = Encode(value, UnreservedChars, destination, out _, out bool invalidUtf16);
        if (invalidUtf16)
        {
            throw new ArgumentException("The value is not valid UTF-16 (it has an unpaired surrogate).", paramName);
        }

        return written;
    }

    /// <summary>Encodes a query-string value into a new array (for values computed once, not per URL).</summary>
    public static byte[] EncodeValue(string value)
    {
        byte[] buffer = new byte[MaxEncodedLength(value.Length)];
        int written = EncodeValue(value, buffer, nameof(value));
        return buffer.AsSpan(0, written).ToArray();
    }

    private static void ValidateKeyShape(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("The object key is empty; S3 URLs need a key.", nameof(key));
        }

        ReadOnlySpan<char> span = key;
        if (span[0] == '/')
        {
            throw new ArgumentException($"The object key '{key}' starts with '/'; S3 URLs cannot carry a leading empty segment. Remove the leading slash.", nameof(key));
        }

        if (span[^1] == '/' || span.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The object key '{key}' has an empty segment ('//' or a trailing '/'); clients and proxies merge or drop empty segments, so the URL would not reach the object.", nameof(key));
        }

        if (span.Contains('.') && HasDotSegment(span))
        {
            throw new ArgumentException($"The object key '{key}' has a '.' or '..' segment; HTTP clients resolve these (RFC 3986 dot-segment removal) before sending, so the URL would reach another key or fail its signature.", nameof(key));
        }
    }

    private static bool HasDotSegment(ReadOnlySpan<char> key)
    {
        foreach (Range range in key.Split('/'))
        {
            ReadOnlySpan<char> segment = key[range];
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    private static int Encode(string value, SearchValues<char> safe, Span<byte> destination, out int utf8Length, out bool invalidUtf16)
    {
        ReadOnlySpan<char> source = value;
        int i = 0;
        int o = 0;
        int escapes = 0;
        invalidUtf16 = false;
        while (i < source.Length)
        {
            int run = source[i..].IndexOfAnyExcept(safe);
            if (run < 0)
            {
                run = source.Length - i;
            }

            if (run > 0)
            {
                Ascii.FromUtf16(source.Slice(i, run), destination[o..], out _);
                o += run;
                i += run;
                if (i == source.Length)
                {
                    break;
                }
            }

            char c = source[i];
            if (c < 0x80)
            {
                o = Escape((byte)c, destination, o);
                escapes++;
                i++;
            }
            else if (c < 0x800)
            {
                o = Escape((byte)(0xC0 | (c >> 6)), destination, o);
                o = Escape((byte)(0x80 | (c & 0x3F)), destination, o);
                escapes += 2;
                i++;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
            {
                int codePoint = char.ConvertToUtf32(c, source[i + 1]);
                o = Escape((byte)(0xF0 | (codePoint >> 18)), destination, o);
                o = Escape((byte)(0x80 | ((codePoint >> 12) & 0x3F)), destination, o);
                o = Escape((byte)(0x80 | ((codePoint >> 6) & 0x3F)), destination, o);
                o = Escape((byte)(0x80 | (codePoint & 0x3F)), destination, o);
                escapes += 4;
                i += 2;
            }
            else if (char.IsSurrogate(c))
            {
                invalidUtf16 = true;
                i++;
            }
            else
            {
                o = Escape((byte)(0xE0 | (c >> 12)), destination, o);
                o = Escape((byte)(0x80 | ((c >> 6) & 0x3F)), destination, o);
                o = Escape((byte)(0x80 | (c & 0x3F)), destination, o);
                escapes += 3;
                i++;
            }
        }

        utf8Length = o - (2 * escapes);
        return o;
    }

    private static int Escape(byte b, Span<byte> destination, int o)
    {
        destination[o] = (byte)'%';
        destination[o + 1] = HexUpper[b >> 4];
        destination[o + 2] = HexUpper[b & 0xF];
        return o + 3;
    }
}
