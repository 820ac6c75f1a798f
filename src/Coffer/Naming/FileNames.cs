using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coffer;

/// <summary>
/// The one place where Coffer's name rules live: which names are refused, how an uploaded file name is
/// cleaned, and how an alternative name is drawn when a name is taken. Every storage goes through these.
/// </summary>
public static class FileNames
{
    /// <summary>Length of the random part of an alternative name (<c>report_AbC12xY.pdf</c>).</summary>
    public const int RandomSuffixLength = 7;

    /// <summary>
    /// Length of the random token in every name of a storage with <see cref="FileStorageOptions.UniqueNames"/>
    /// (<c>report_k3xq9zp2m4n8b7c1d5f6.pdf</c>): 20 lower-case letters or digits, about 103 bits, so a name once
    /// handed out is never drawn again and a link made for one upload cannot reach a later one.
    /// </summary>
    public const int UniqueTokenLength = 20;

    /// <summary>
    /// The smallest maximum name length (<see cref="FileStorageOptions.MaxNameLength"/>, a file field's column) that
    /// leaves room for a name and its <see cref="RandomSuffixLength"/>-character random suffix: 16.
    /// </summary>
    public const int MinMaxNameLength = 16;

    /// <summary>
    /// The smallest <see cref="FileStorageOptions.MaxNameLength"/> of a storage with unique names: a root character,
    /// '_', the <see cref="UniqueTokenLength"/>-character token and a short extension.
    /// </summary>
    internal const int MinMaxNameLengthForUniqueNames = UniqueTokenLength + 12;

    /// <summary>Longest display name <see cref="FromClientFileName"/> returns, in UTF-16 code units.</summary>
    public const int MaxDisplayNameLength = 255;

    /// <summary>
    /// Prefix of the files Coffer writes while an upload is unfinished (<c>.coffer-….tmp</c>). No stored name may
    /// have a segment that starts with it, so an unfinished upload is never mistaken for a file.
    /// </summary>
    internal const string ReservedPrefix = ".coffer-";

    private const string SuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Lower case only: a token must not collide with another one on a case-insensitive file system either.
    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// Refuses names that could escape a storage's location or that no storage can hold safely:
    /// empty names, NUL and control characters, backslashes, absolute paths, <c>..</c> segments and
    /// empty or <c>.</c> segments, and segments starting with <c>.coffer-</c>, which Coffer keeps for unfinished
    /// uploads. Forward slashes separate folders.
    /// </summary>
    /// <param name="name">A storage name such as <c>files/2024/report.pdf</c>.</param>
    /// <exception cref="InvalidFileNameException">The name is refused; <see cref="InvalidFileNameException.Problem"/> says why.</exception>
    public static void Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidFileNameException(name, FileNameProblem.Empty,
                "The file name is empty. Pass the name of the file, for example 'report.pdf'.");
        }

        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                throw new InvalidFileNameException(name, FileNameProblem.ControlCharacter,
                    $"The file name contains the control character U+{(int)c:X4}. Remove NUL, tab, newline and other control characters from '{Printable(name)}'.");
            }
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            throw new InvalidFileNameException(name, FileNameProblem.Backslash,
                $"The file name '{name}' contains a backslash. Coffer separates folders with '/' only; take the last segment of a Windows path (Path.GetFileName) before saving.");
        }

        if (name[0] == '/' || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])))
        {
            throw new InvalidFileNameException(name, FileNameProblem.AbsolutePath,
                $"The file name '{name}' is an absolute path. Names are relative to the storage's location; remove the leading '/' or drive.");
        }

        // Span segments: this runs for every URL a storage gives, so it allocates nothing.
        var span = name.AsSpan();
        foreach (var range in span.Split('/'))
        {
            var segment = span[range];
            if (segment is "..")
            {
                throw new InvalidFileNameException(name, FileNameProblem.Traversal,
                    $"Detected path traversal attempt in '{name}': a '..' segment would leave the storage's location.");
            }

            if (segment is "" or ".")
            {
                throw new InvalidFileNameException(name, FileNameProblem.EmptySegment,
                    $"The file name '{name}' has an empty or '.' segment. Write it without '//', '/./' or a trailing '/'.");
            }

            if (segment.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                throw new InvalidFileNameException(name, FileNameProblem.Reserved,
                    $"The file name '{name}' starts a segment with '{ReservedPrefix}', which Coffer keeps for unfinished uploads. Rename the file.");
            }
        }
    }

    /// <summary>
    /// The name to show for what a client sent as an upload's name, and to start the stored name from: the part
    /// after its last <c>/</c> or <c>\</c> (some clients send a whole path, <c>C:\Users\me\photo.jpg</c>, and only
    /// the file name is the user's to choose), without control and Unicode format characters, trimmed, and at most
    /// <see cref="MaxDisplayNameLength"/> long (the root is shortened, the extension kept).
    /// </summary>
    /// <remarks>
    /// Format characters are invisible but change what a reader sees: U+202E (right-to-left override) shows
    /// <c>invoice\u202Efdp.exe</c> as <c>invoiceexe.pdf</c>, zero-width characters make two names look alike. The
    /// cap keeps a hostile name out of a database that ignores column sizes (SQLite) and out of URLs and headers.
    /// </remarks>
    /// <returns>The display name; empty when nothing visible is left (the name pipeline then refuses it).</returns>
    public static string FromClientFileName(string clientFileName)
    {
        ArgumentNullException.ThrowIfNull(clientFileName);
        var last = clientFileName.AsSpan(clientFileName.LastIndexOfAny(['/', '\\']) + 1);
        var builder = new StringBuilder(Math.Min(last.Length, MaxDisplayNameLength + 16));
        foreach (var rune in last.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
            {
                builder.Append(rune.ToString());
            }
        }

        string display = builder.ToString().Trim();
        if (display.Length <= MaxDisplayNameLength)
        {
            return display;
        }

        int extensionStart = FindExtensionStart(display);
        string extension = display.Length - extensionStart <= 32 ? display[extensionStart..] : "";
        int rootLength = MaxDisplayNameLength - extension.Length;
        if (char.IsHighSurrogate(display[rootLength - 1]))
        {
            rootLength--; // never split a surrogate pair
        }

        return string.Concat(display.AsSpan(0, rootLength), extension);
    }

    /// <summary>
    /// Cleans one file name the way Django's <c>get_valid_name</c> does: normalise to NFC, trim, turn spaces
    /// into <c>_</c>, then drop every character that is not a letter, a digit, a combining mark, <c>-</c>,
    /// <c>_</c> or <c>.</c> (Unicode letters and digits are kept).
    /// </summary>
    /// <example><c>john's portrait (1).jpg</c> becomes <c>johns_portrait_1.jpg</c>.</example>
    /// <exception cref="InvalidFileNameException">Nothing usable is left (for example <c>???</c>).</exception>
    public static string GetValidName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string normalized = fileName.Normalize(NormalizationForm.FormC).Trim();
        var builder = new StringBuilder(normalized.Length);
        for (int i = 0; i < normalized.Length; i++)
        {
            char c = normalized[i];
            if (c == ' ')
            {
                builder.Append('_');
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < normalized.Length && char.IsLowSurrogate(normalized[i + 1]))
            {
                if (IsKept(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, normalized[i + 1]))))
                {
                    builder.Append(c).Append(normalized[i + 1]);
                }

                i++;
                continue;
            }

            if (c is '-' or '_' or '.' || IsKept(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                builder.Append(c);
            }
        }

        string valid = builder.ToString();
        if (valid.Length == 0 || valid == "." || valid == "..")
        {
            throw new InvalidFileNameException(fileName, FileNameProblem.NoValidCharacters,
                $"Could not derive a file name from '{Printable(fileName)}': no letter, digit, '-', '_' or '.' is left after cleaning. Give the file a name with letters or digits.");
        }

        return valid;
    }

    /// <summary>
    /// Builds the name to store for an uploaded file: validates it, cleans its last segment with
    /// <see cref="GetValidName"/>, and puts it under the folder that <paramref name="uploadTo"/> gives.
    /// </summary>
    /// <param name="fileName">The original file name, possibly with folders (<c>invoices/March report.pdf</c>).</param>
    /// <param name="uploadTo">Where uploads go; <see langword="null"/> for the storage's root.</param>
    /// <param name="instance">The object that owns the file, passed to an <see cref="UploadTo"/> delegate.</param>
    /// <param name="now">The time that date tokens of an upload-to template are read from.</param>
    /// <exception cref="InvalidFileNameException">The name or the upload-to result is refused.</exception>
    public static string Generate(string fileName, UploadTo? uploadTo, object? instance, DateTimeOffset now)
    {
        Validate(fileName);
        string name = CleanLastSegment(fileName);
        if (uploadTo is null)
        {
            return name;
        }

        string generated = uploadTo.Apply(name, instance, now);
        Validate(generated);
        return CleanLastSegment(generated);
    }

    /// <summary>
    /// Draws an alternative for a taken name: <c>dir/root_XXXXXXX.ext</c> with <see cref="RandomSuffixLength"/>
    /// random letters or digits, keeping compound extensions such as <c>.tar.gz</c>. When the result would be
    /// longer than <paramref name="maxLength"/>, the root is shortened so the whole name is exactly that long.
    /// </summary>
    /// <exception cref="InvalidFileNameException">Not one character of the root can remain within <paramref name="maxLength"/>.</exception>
    public static string GetAlternativeName(string name, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WithRandomPart(name, maxLength, SuffixAlphabet, RandomSuffixLength);
    }

    /// <summary>
    /// Puts a fresh random token of <see cref="UniqueTokenLength"/> characters before the extension of
    /// <paramref name="name"/> (<c>dir/root_k3xq9zp2m4n8b7c1d5f6.ext</c>), shortening the root when the result would
    /// be longer than <paramref name="maxLength"/>: the name of a storage whose names are never handed out twice.
    /// </summary>
    /// <exception cref="InvalidFileNameException">Not one character of the root can remain within <paramref name="maxLength"/>.</exception>
    public static string GetUniqueName(string name, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WithRandomPart(name, maxLength, TokenAlphabet, UniqueTokenLength);
    }

    private static string WithRandomPart(string name, int maxLength, string alphabet, int randomLength)
    {
        int slash = name.LastIndexOf('/');
        string directory = slash >= 0 ? name[..(slash + 1)] : "";
        string fileName = name[(slash + 1)..];
        int extensionStart = FindExtensionStart(fileName);
        string root = fileName[..extensionStart];
        string extension = fileName[extensionStart..];

        int fixedLength = directory.Length + 1 + randomLength + extension.Length;
        int rootRoom = maxLength - fixedLength;
        if (rootRoom < 1)
        {
            throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                $"Storage can not find an available name for '{name}' within the maximum length of {maxLength} characters: "
                + $"the folder, the extension and the {randomLength}-character random part alone do not fit. Use a shorter upload_to folder or make sure "
                + "that the corresponding file field allows sufficient max length.");
        }

        if (root.Length > rootRoom)
        {
            root = root[..rootRoom];
            if (char.IsHighSurrogate(root[^1]))
            {
                // Never split a surrogate pair; the name is then one character shorter than maxLength.
                root = root[..^1];
            }

            if (root.Length == 0)
            {
                throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                    $"Storage can not find an available name for '{name}' within the maximum length of {maxLength} characters.");
            }
        }

        Span<char> random = stackalloc char[randomLength];
        RandomNumberGenerator.GetItems(alphabet, random);
        return string.Concat(directory, root, "_", random.ToString(), extension);
    }

    /// <summary>
    /// Where the extension of a file name starts. The last suffix is the extension, and one short alphabetic
    /// suffix before it belongs to it too (<c>.tar.gz</c>, <c>.nii.gz</c>), so a random part goes before both.
    /// A leading dot (<c>.env</c>) is part of the root.
    /// </summary>
    internal static int FindExtensionStart(string fileName)
    {
        int last = fileName.LastIndexOf('.');
        if (last <= 0 || last == fileName.Length - 1)
        {
            return fileName.Length;
        }

        int previous = fileName.LastIndexOf('.', last - 1);
        if (previous > 0 && last - previous - 1 is >= 1 and <= 4 && IsAsciiLetters(fileName.AsSpan(previous + 1, last - previous - 1)))
        {
            return previous;
        }

        return last;
    }

    private static bool IsAsciiLetters(ReadOnlySpan<char> span)
    {
        foreach (char c in span)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string CleanLastSegment(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? GetValidName(name) : string.Concat(name.AsSpan(0, slash + 1), GetValidName(name[(slash + 1)..]));
    }

    private static bool IsKept(UnicodeCategory category) => category is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
        // Marks are kept so that scripts written with combining vowels (Devanagari, Thai, …) stay readable.
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    internal static string Printable(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        }

        return builder.ToString();
    }
}
