using System.Buffers;
using System.Text;

namespace Coffer;

/// <summary>
/// Percent-encoding of names for URL paths: RFC 3986 unreserved characters stay, <c>/</c> stays, all else is UTF-8 %XX.
/// Compiled into every package that builds URLs (src/Shared), so that local, S3 and CloudFront URLs encode a name
/// in one and the same way without a public type for it.
/// </summary>
internal static class UrlPath
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    /// <summary>Encodes <paramref name="value"/>; when <paramref name="keepSlash"/> is true, <c>/</c> is kept as a separator.</summary>
    public static string Encode(string value, bool keepSlash = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        int firstToEncode = -1;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (!Unreserved.Contains(c) && !(keepSlash && c == '/'))
            {
                firstToEncode = i;
                break;
            }
        }

        if (firstToEncode < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length * 3);
        builder.Append(value, 0, firstToEncode);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = firstToEncode; i < value.Length; i++)
        {
            char c = value[i];
            if (Unreserved.Contains(c) || (keepSlash && c == '/'))
            {
                builder.Append(c);
                continue;
            }

            int length;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8);
                i++;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            }

            for (int b = 0; b < length; b++)
            {
                builder.Append('%').Append(HexUpper[utf8[b] >> 4]).Append(HexUpper[utf8[b] & 0xF]);
            }
        }

        return builder.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";
}
