using System.Text;

namespace Coffer.S3;

/// <summary>Builds <c>Content-Disposition</c> values (RFC 6266) that carry any file name.</summary>
internal static class ContentDisposition
{
    /// <summary>
    /// <c>attachment; filename="…"; filename*=UTF-8''…</c>: an ASCII fallback for old clients (other characters become
    /// <c>_</c>, quotes and backslashes escaped) and the exact name, percent-encoded UTF-8 (RFC 8187), which every
    /// current browser prefers.
    /// </summary>
    public static string Attachment(string fileName)
    {
        var fallback = new StringBuilder(fileName.Length + 8);
        foreach (Rune rune in fileName.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\')
            {
                fallback.Append('\\').Append((char)rune.Value);
            }
            else
            {
                fallback.Append(rune.Value is >= ' ' and <= '~' ? (char)rune.Value : '_');
            }
        }

        return $"attachment; filename=\"{fallback}\"; filename*=UTF-8''{UrlPath.Encode(fileName, keepSlash: false)}";
    }
}
