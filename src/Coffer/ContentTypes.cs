using System.Collections.Frozen;

namespace Coffer;

/// <summary>
/// Content types guessed from file extensions, for storages that keep one (S3) and for the endpoints that serve
/// files. A small built-in map of the types web apps store most; anything else is <see cref="Default"/>.
/// </summary>
public static class ContentTypes
{
    /// <summary>The content type of bytes of unknown kind: <c>application/octet-stream</c>.</summary>
    public const string Default = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // Documents
        [".pdf"] = "application/pdf",
        [".txt"] = "text/plain",
        [".csv"] = "text/csv",
        [".md"] = "text/markdown",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".xml"] = "application/xml",
        [".json"] = "application/json",
        [".rtf"] = "application/rtf",
        [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".ppt"] = "application/vnd.ms-powerpoint",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".odp"] = "application/vnd.oasis.opendocument.presentation",
        [".epub"] = "application/epub+zip",
        // Web assets
        [".css"] = "text/css",
        [".js"] = "text/javascript",
        [".mjs"] = "text/javascript",
        [".wasm"] = "application/wasm",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",
        // Images
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/vnd.microsoft.icon",
        [".bmp"] = "image/bmp",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".heic"] = "image/heic",
        // Audio and video
        [".mp3"] = "audio/mpeg",
        [".wav"] = "audio/wav",
        [".ogg"] = "audio/ogg",
        [".oga"] = "audio/ogg",
        [".flac"] = "audio/flac",
        [".m4a"] = "audio/mp4",
        [".mp4"] = "video/mp4",
        [".m4v"] = "video/mp4",
        [".webm"] = "video/webm",
        [".ogv"] = "video/ogg",
        [".mov"] = "video/quicktime",
        [".avi"] = "video/x-msvideo",
        // Archives
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".tgz"] = "application/gzip",
        [".tar"] = "application/x-tar",
        [".bz2"] = "application/x-bzip2",
        [".xz"] = "application/x-xz",
        [".7z"] = "application/x-7z-compressed",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Guesses the content type of a file from the extension of its name (case-insensitive).</summary>
    /// <param name="fileName">A file name or a stored name (<c>files/report.PDF</c>).</param>
    /// <param name="contentType">The guessed content type, or <see langword="null"/>.</param>
    /// <returns>Whether the extension is known.</returns>
    public static bool TryGetFromFileName(string fileName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? contentType)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string extension = Path.GetExtension(fileName.AsSpan(fileName.LastIndexOf('/') + 1)).ToString();
        return ByExtension.TryGetValue(extension, out contentType);
    }

    /// <summary>
    /// The content type to store for a file: <paramref name="given"/> when there is one, else the type guessed
    /// from the extension of <paramref name="fileName"/>, else <see cref="Default"/>.
    /// </summary>
    /// <param name="fileName">The stored name.</param>
    /// <param name="given">The content type that came with the upload, if any.</param>
    public static string Resolve(string fileName, string? given = null) =>
        !string.IsNullOrWhiteSpace(given) ? given : TryGetFromFileName(fileName, out var guessed) ? guessed : Default;
}
