using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Coffer;

/// <summary>
/// Makes a name, path or other text that may come from a client safe to put in a log message. Compiled into every
/// Coffer package (src/Shared), so that each package's <c>Log</c> class escapes in one and the same way.
/// </summary>
/// <remarks>
/// Control characters (CR, LF, tab, escape, the C1 controls such as NEL), Unicode format characters (the bidi overrides
/// such as U+202E, zero-width characters, tag characters), the line and paragraph separators U+2028 and U+2029 and
/// lone surrogates are written as <c>\uXXXX</c> (one escape per UTF-16 unit). Without this, a request for
/// <c>/a%0d%0aFORGED: …</c> writes a log line of the client's choosing, and U+202E shows a name reversed. Everything
/// else, non-ASCII letters and backslashes among them, is kept as it is, so that names and Windows paths stay readable.
/// </remarks>
internal static class LogText
{
    /// <summary>
    /// Returns <paramref name="value"/> with every character that could break or disguise a log line written as
    /// <c>\uXXXX</c>; the same instance when there is none (no allocation on the usual path).
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? Escape(string? value)
    {
        if (value is null)
        {
            return null; // the message shows "(null)", as it would without escaping
        }

        StringBuilder? escaped = null;
        int kept = 0; // value[kept..i] is still to be copied
        for (int i = 0; i < value.Length;)
        {
            if (value[i] is >= ' ' and < '\u007f')
            {
                i++; // printable ASCII, the usual case: no category lookup
                continue;
            }

            int length = 1;
            bool escape = true; // a lone surrogate
            if (Rune.TryGetRuneAt(value, i, out var rune))
            {
                length = rune.Utf16SequenceLength;
                escape = IsUnsafe(Rune.GetUnicodeCategory(rune));
            }

            if (escape)
            {
                escaped ??= new StringBuilder(value.Length + 16);
                escaped.Append(value, kept, i - kept);
                for (int unit = i; unit < i + length; unit++)
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)value[unit]:X4}");
                }

                kept = i + length;
            }

            i += length;
        }

        return escaped is null ? value : escaped.Append(value, kept, value.Length - kept).ToString();
    }

    private static bool IsUnsafe(UnicodeCategory category) => category
        is UnicodeCategory.Control
        or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate;
}
