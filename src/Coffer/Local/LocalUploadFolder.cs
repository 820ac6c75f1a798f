using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Local;

/// <summary>
/// The folder of one unfinished direct upload on disk: <c>.coffer-uploads/{sha256(name)}/{uploadId}/</c> under the
/// storage's root, holding a small manifest (<c>upload</c>: the name, the length and the part size the upload was
/// started with) and one <c>{n}.part</c> file per part that arrived whole. A part on its way is a
/// <c>{n}.{random}.partial</c> beside them, renamed to <c>{n}.part</c> once its last byte is on disk.
/// </summary>
/// <remarks>
/// The name's folder is its hash, so that every upload of a name is found without reading any manifest (an abort by
/// name, which is what the ledger sweep does, costs one folder delete), and so that any stored name fits one path
/// segment. The <c>.coffer-</c> prefix keeps the whole tree out of every member that takes a name.
/// </remarks>
internal sealed class LocalUploadFolder
{
    /// <summary>The folder under the storage's root that holds every unfinished upload.</summary>
    public const string RootName = FileNames.ReservedPrefix + "uploads";

    private const string ManifestName = "upload";
    private const string ManifestVersion = "coffer-upload-v1";
    private const string PartSuffix = ".part";
    private const string PartialSuffix = ".partial";
    private const int IdLength = 32;

    private LocalUploadFolder(string path, string name, long length, long partSize)
    {
        Path = path;
        Name = name;
        Length = length;
        PartSize = partSize;
    }

    /// <summary>The upload's folder.</summary>
    public string Path { get; }

    /// <summary>The stored name the upload was started for.</summary>
    public string Name { get; }

    /// <summary>The length the upload was started with.</summary>
    public long Length { get; }

    /// <summary>The length of every part but the last.</summary>
    public long PartSize { get; }

    /// <summary>How many parts the upload has.</summary>
    public int PartCount => DirectUploadParts.Count(Length, PartSize);

    /// <summary>A fresh upload id: 128 random bits in lower-case hex, so it is one safe path segment on any file system.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));

    /// <summary>
    /// Whether <paramref name="uploadId"/> is an id <see cref="NewId"/> could have made. Anything else (a client's
    /// <c>../..</c>) never reaches a path.
    /// </summary>
    public static bool IsId([NotNullWhen(true)] string? uploadId)
    {
        if (uploadId is not { Length: IdLength })
        {
            return false;
        }

        foreach (char c in uploadId)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The folder that holds every upload of <paramref name="name"/>.</summary>
    public static string NameFolder(string storageRoot, string name) =>
        System.IO.Path.Combine(storageRoot, RootName, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))));

    /// <summary>Creates the folder of a new upload and its manifest.</summary>
    public static async Task<LocalUploadFolder> CreateAsync(string storageRoot, string name, string uploadId, long length, long partSize, CancellationToken cancellationToken)
    {
        string nameFolder = NameFolder(storageRoot, name);
        string path = System.IO.Path.Combine(nameFolder, uploadId);
        string manifest = string.Join('\n', ManifestVersion, length.ToString(CultureInfo.InvariantCulture), partSize.ToString(CultureInfo.InvariantCulture), name);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(path);
                await File.WriteAllTextAsync(System.IO.Path.Combine(path, ManifestName), manifest, cancellationToken).ConfigureAwait(false);
                return new LocalUploadFolder(path, name, length, partSize);
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // An abort or sweep removed the name's folder, empty, while this made it or wrote into it: make it again.
            }
        }
    }

    /// <summary>The upload <paramref name="uploadId"/> of <paramref name="name"/>; <see langword="null"/> when there is none (completed, aborted, swept, or never started).</summary>
    public static LocalUploadFolder? Open(string storageRoot, string name, string uploadId)
    {
        if (!IsId(uploadId))
        {
            return null;
        }

        string path = System.IO.Path.Combine(NameFolder(storageRoot, name), uploadId);
        string text;
        try
        {
            text = File.ReadAllText(System.IO.Path.Combine(path, ManifestName));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        // The name is last: it holds no newline (FileNames.Validate refuses control characters), but it is taken whole anyway.
        string[] fields = text.Split('\n', 4);
        return fields is [ManifestVersion, var length, var partSize, var stored]
            && string.Equals(stored, name, StringComparison.Ordinal)
            && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out long parsedLength)
            && long.TryParse(partSize, NumberStyles.None, CultureInfo.InvariantCulture, out long parsedPartSize) && parsedPartSize > 0
            ? new LocalUploadFolder(path, name, parsedLength, parsedPartSize)
            : null; // a manifest cut short by a crash: no upload, and the sweep removes the folder
    }

    /// <summary>The exact length of part <paramref name="partNumber"/>; -1 when the upload has no such part.</summary>
    public long PartLength(int partNumber) =>
        partNumber >= 1 && partNumber <= PartCount ? DirectUploadParts.Length(partNumber, Length, PartSize) : -1;

    /// <summary>Where part <paramref name="partNumber"/> is once it arrived whole.</summary>
    public string PartPath(int partNumber) => System.IO.Path.Combine(Path, partNumber.ToString(CultureInfo.InvariantCulture) + PartSuffix);

    /// <summary>A new file for a part on its way; two sends of one part each get their own.</summary>
    public string NewPartialPath(int partNumber) =>
        System.IO.Path.Combine(Path, string.Concat(partNumber.ToString(CultureInfo.InvariantCulture), ".", Guid.NewGuid().ToString("N"), PartialSuffix));

    /// <summary>The parts that arrived whole, in part order; parts on their way are not among them.</summary>
    public List<UploadedPart> ListParts()
    {
        var parts = new List<UploadedPart>();
        foreach (var file in new DirectoryInfo(Path).EnumerateFiles())
        {
            string fileName = file.Name;
            if (fileName.EndsWith(PartSuffix, StringComparison.Ordinal)
                && int.TryParse(fileName.AsSpan(0, fileName.Length - PartSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                parts.Add(new UploadedPart(number, file.Length));
            }
        }

        parts.Sort((a, b) => a.Number.CompareTo(b.Number));
        return parts;
    }

    /// <summary>When anything in the upload's folder was last written: a part arriving keeps its upload young.</summary>
    public static DateTime LastActivityUtc(DirectoryInfo folder)
    {
        var last = folder.LastWriteTimeUtc;
        foreach (var file in folder.EnumerateFiles())
        {
            if (file.LastWriteTimeUtc > last)
            {
                last = file.LastWriteTimeUtc;
            }
        }

        return last;
    }

    /// <summary>
    /// Removes a folder and what it holds; a folder that is gone is not an error. A part that lands while the folder
    /// is being removed makes the delete fail once ("not empty"); the next attempt removes it too.
    /// </summary>
    public static void DeleteTree(string path)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Removes a name's folder if no upload is left in it; one that is not empty stays.</summary>
    public static void DeleteIfEmpty(string path)
    {
        try
        {
            Directory.Delete(path, recursive: false);
        }
        catch (IOException)
        {
            // Not empty (another upload of the name), or gone: both are fine.
        }
    }
}
