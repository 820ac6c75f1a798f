using System.Text;

namespace Coffer.S3.Presigning.Internal;

/// <summary>Builds <c>attachment; filename="…"; filename*=UTF-8''…</c> values (RFC 6266, RFC 5987).</summary>
internal static class ContentDispositionValue
{
    public static string Attachment(string fileName)
    {
        var ascii = new StringBuilder(fileName.Length);
        bool needsExtended = false;
        foreach (char c in fileName)
        {
            if (c is >= ' ' and < (char)0x7F and not '"' and not '\\')
            {
                ascii.Append(c);
            }
            else
            {
                ascii.Append('_');
                needsExtended = true;
            }
        }

        string plain = "attachment; filename=\"" + ascii + "\"";
        return needsExtended ? plain + "; filename*=UTF-8''" + Uri.EscapeDataString(fileName) : plain;
    }
}
