using System.Text;

namespace Coffer;

/// <summary>
/// <c>Content-Disposition</c> values as RFC 6266 wants them, for any file name: an ASCII <c>filename</c> for old
/// clients and the exact name as UTF-8 in <c>filename*</c> (RFC 8187), which every current browser prefers.
/// The one builder of this header in Coffer: the S3 presigner, the S3 storage and the local file endpoint use it.
/// </summary>
public static class ContentDisposition
{
    /// <summary><c>attachment; filename="…"; filename*=UTF-8''…</c>: the browser saves the file as <paramref name="fileName"/>.</summary>
    public static string Attachment(string fileName) => Format(inline: false, fileName);

    /// <summary>An <c>inline</c> or <c>attachment</c> value naming <paramref name="fileName"/>.</summary>
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
