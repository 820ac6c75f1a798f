namespace Coffer;

/// <summary>Who may read a storage's files through their URLs.</summary>
public enum FileVisibility
{
    /// <summary>Files are never world-readable; URLs are signed and expire.</summary>
    Private,

    /// <summary>Files are readable by anyone; URLs are plain (CDN-friendly) and never expire.</summary>
    Public,
}

/// <summary>Settings every storage has, whatever its backend.</summary>
public class FileStorageOptions
{
    /// <summary>Default for <see cref="MaxNameLength"/>: the <c>varchar(100)</c> of a Django <c>FileField</c>.</summary>
    public const int DefaultMaxNameLength = 100;

    /// <summary>
    /// Prefix under which this storage keeps its files (a folder on disk, a key prefix in a bucket).
    /// It is not part of the stored name. Default: empty.
    /// </summary>
    public string Location { get; set; } = "";

    /// <summary>
    /// Whether saving a name that exists replaces the file. When <see langword="false"/>, a taken name gets a
    /// random suffix instead. Default: <see langword="false"/>.
    /// </summary>
    public bool FileOverwrite { get; set; }

    /// <summary>Longest stored name, in UTF-16 code units: the size of the database column. Default: 100.</summary>
    public int MaxNameLength { get; set; } = DefaultMaxNameLength;

    /// <summary>How long a signed URL stays valid unless a call says otherwise. Default: 1 hour.</summary>
    public TimeSpan UrlExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether files are private (signed URLs) or public (plain URLs). Default: <see cref="FileVisibility.Private"/>.</summary>
    public FileVisibility Visibility { get; set; } = FileVisibility.Private;

    /// <summary>
    /// Where URLs of this storage start: an absolute URL (<c>https://cdn.example.com/media/</c>) or an
    /// app-relative path (<c>/media/</c>). Default: none, and <see cref="FileStorage.GetUrl"/> then throws.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Largest accepted file, in bytes; <see langword="null"/> for no limit. Default: no limit.</summary>
    public long? MaxFileSize { get; set; }

    /// <summary>Whether a file with no bytes may be saved. Default: <see langword="false"/>.</summary>
    public bool AllowEmptyFiles { get; set; }
}
