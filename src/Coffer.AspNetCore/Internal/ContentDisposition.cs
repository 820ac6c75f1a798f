using System.Text;

namespace Coffer.AspNetCore.Internal;

/// <summary>
/// <c>Content-Disposition</c> values as RFC 6266 wants them: an ASCII <c>filename</c> for old clients and a UTF-8
/// <c>filename*</c> (RFC 8187) that every current browser prefers.
/// </summary>
internal static class ContentDisposition
{
    public static string Format(bool inline, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var builder = new StringBuilder(32 + (fileName.Length * 4));
        builder.Append(inline ? "inline" : "attachment").Append("; filename=\"");
        foreach (char c in fileName)
        {
            // Quotes and backslashes are escapable in a quoted-string, but clients disagree on the escapes;
            // '%' is decoded by some. The exact name travels in filename*.
            builder.Append(c is >= ' ' and <= '~' and not ('"' or '\\' or '%') ? c : '_');
        }

        return builder.Append("\"; filename*=UTF-8''").Append(UrlPath.Encode(fileName, keepSlash: false)).ToString();
    }
}
