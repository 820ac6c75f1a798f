namespace Coffer;

/// <summary>A URL for a stored file, and when it stops working.</summary>
/// <param name="Url">The URL to hand to a browser.</param>
/// <param name="ExpiresAt">When a signed URL expires; <see langword="null"/> for a public URL that does not.</param>
public readonly record struct FileUrl(string Url, DateTimeOffset? ExpiresAt)
{
    /// <summary>The URL.</summary>
    public override string ToString() => Url;
}

/// <summary>Options for one URL.</summary>
public sealed class FileUrlOptions
{
    /// <summary>How long the signed URL stays valid; <see langword="null"/> for the storage's <see cref="FileStorageOptions.UrlExpiry"/>.</summary>
    public TimeSpan? Expiry { get; init; }

    /// <summary>
    /// A file name for the browser to save the download as (sent as <c>Content-Disposition: attachment</c>);
    /// <see langword="null"/> to leave the header as stored.
    /// </summary>
    public string? DownloadFileName { get; init; }

    /// <summary>A <c>Content-Type</c> for the response; <see langword="null"/> to leave it as stored.</summary>
    public string? ContentType { get; init; }
}

/// <summary>Options for one save.</summary>
public sealed class FileSaveOptions
{
    internal static readonly FileSaveOptions Default = new();

    /// <summary>Where the file goes, like Django's <c>upload_to</c>; <see langword="null"/> for the storage's root.</summary>
    public UploadTo? UploadTo { get; init; }

    /// <summary>The object that owns the file, passed to an <see cref="Coffer.UploadTo"/> delegate.</summary>
    public object? Instance { get; init; }

    /// <summary>The content type of the file; storages that keep one guess it from the extension when this is <see langword="null"/>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The length of the content in bytes, when known and the stream cannot tell (a request body).</summary>
    public long? ContentLength { get; init; }

    /// <summary>
    /// The longest name this save may store, such as the length of the database column that keeps it (Django passes
    /// a field's <c>max_length</c> the same way); the storage's <see cref="FileStorageOptions.MaxNameLength"/> still
    /// applies when it is shorter. <see langword="null"/> for the storage's own limit.
    /// </summary>
    public int? MaxNameLength { get; init; }

    /// <summary>
    /// Whether the name is stored exactly as given: checked, but not cleaned, not put under <see cref="UploadTo"/>, not
    /// given a random token or suffix. A save whose name is taken fails with <see cref="IOException"/> rather than try
    /// another. For a file whose name is derived from another stored file's (an image's variants), so that its URL can be
    /// computed from that name alone. Default: <see langword="false"/>.
    /// </summary>
    public bool ExactName { get; init; }
}

/// <summary>What a storage knows of one name. A missing file is a value (<see cref="Exists"/> is <see langword="false"/>), not an exception.</summary>
/// <param name="Name">The stored name.</param>
/// <param name="Exists">Whether a file is stored under the name.</param>
/// <param name="Length">Its size in bytes; -1 when it does not exist.</param>
/// <param name="LastModified">When it was last written; <see langword="null"/> when it does not exist.</param>
/// <param name="ContentType">Its content type, where the storage keeps one.</param>
public sealed record StoredFileInfo(string Name, bool Exists, long Length, DateTimeOffset? LastModified, string? ContentType = null)
{
    /// <summary>The info of a name under which nothing is stored.</summary>
    public static StoredFileInfo NotFound(string name) => new(name, false, -1, null);
}

/// <summary>One level of a storage folder: its sub-folders and its files, as names relative to that folder.</summary>
/// <param name="Directories">Names of the sub-folders.</param>
/// <param name="Files">Names of the files.</param>
public sealed record StorageListing(IReadOnlyList<string> Directories, IReadOnlyList<string> Files);
