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
    public string Location { get; set { ThrowIfReadOnly(); field = value; } } = "";

    /// <summary>
    /// Whether saving a name that exists replaces the file. When <see langword="false"/>, a taken name gets a
    /// random suffix instead. Cannot be on together with <see cref="UniqueNames"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool FileOverwrite { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// Whether every saved name carries a fresh random token (<c>files/report_k3xq9zp2m4n8b7c1d5f6.pdf</c>,
    /// <see cref="FileNames.UniqueTokenLength"/> characters), so that no name is ever handed out twice.
    /// Default: <see langword="null"/>, which means on for <see cref="FileVisibility.Private"/> storages and off for
    /// public ones.
    /// </summary>
    /// <remarks>
    /// A signed URL names a file by its name. When a name freed by a delete is handed to the next upload (Django's
    /// behaviour: <c>report.pdf</c> is stored as <c>report.pdf</c> whenever that name is free), every link still
    /// alive for the deleted file serves the new one, whoever uploaded it. With unique names a link reaches the
    /// upload it was made for and no other: after a delete it answers 404 (403 on S3) for the rest of its life.
    /// Turn it off only for a storage whose names the app chooses itself and never reuses, or whose links need
    /// no such guarantee; public storages keep Django's names by default because their files are world-readable anyway.
    /// </remarks>
    public bool? UniqueNames { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>Longest stored name, in UTF-16 code units: the size of the database column. Default: 100.</summary>
    public int MaxNameLength { get; set { ThrowIfReadOnly(); field = value; } } = DefaultMaxNameLength;

    /// <summary>How long a signed URL stays valid unless a call says otherwise. Default: 1 hour.</summary>
    public TimeSpan UrlExpiry { get; set { ThrowIfReadOnly(); field = value; } } = TimeSpan.FromHours(1);

    /// <summary>Whether files are private (signed URLs) or public (plain URLs). Default: <see cref="FileVisibility.Private"/>.</summary>
    public FileVisibility Visibility { get; set { ThrowIfReadOnly(); field = value; } } = FileVisibility.Private;

    /// <summary>
    /// Where URLs of this storage start: an absolute URL (<c>https://cdn.example.com/media/</c>) or an
    /// app-relative path (<c>/media/</c>). Default: none, and <see cref="FileStorage.GetUrl"/> then throws.
    /// </summary>
    public string? BaseUrl { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>Largest accepted file, in bytes; <see langword="null"/> for no limit. Default: no limit.</summary>
    public long? MaxFileSize { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>Whether a file with no bytes may be saved. Default: <see langword="false"/>.</summary>
    public bool AllowEmptyFiles { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// Whether a storage has been built with these options. From then on they are read-only: a storage derives what it
    /// needs (its signer, its ACL, its URL prefix) once, so a later change would be silently half-applied. To change a
    /// setting, build a new storage from new options (configuration reloads do exactly that).
    /// </summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>
    /// Whether names get a random token: <see cref="UniqueNames"/>, or its default for <see cref="Visibility"/> (on for a
    /// private storage). A name with a token belongs to one save for ever, so whatever is stored under it is that save's.
    /// </summary>
    public bool UsesUniqueNames => UniqueNames ?? Visibility == FileVisibility.Private;

    /// <summary>
    /// Whether the storage's URLs are signed and expire. The one place this is decided: <see cref="FileStorage.GetUrl"/>
    /// asks it once per storage. Signed for <see cref="FileVisibility.Private"/> storages, plain for public ones; a
    /// backend that can also sign public files (S3's <c>QueryStringAuth</c>) overrides it.
    /// </summary>
    public virtual bool SignsUrls => Visibility == FileVisibility.Private;

    /// <summary>
    /// Makes the options read-only (<see cref="IsReadOnly"/>); every storage calls it when it is built. Calling it again
    /// does nothing.
    /// </summary>
    public void MakeReadOnly()
    {
        if (!IsReadOnly)
        {
            OnMakeReadOnly();
            IsReadOnly = true;
        }
    }

    /// <summary>Called once by <see cref="MakeReadOnly"/>: a backend makes its collections read-only here.</summary>
    protected virtual void OnMakeReadOnly()
    {
    }

    /// <summary>Throws when the options are read-only; every setter calls it first.</summary>
    /// <exception cref="InvalidOperationException">A storage has been built with these options.</exception>
    protected void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException(
                $"These {GetType().Name} belong to a storage that has been built, and cannot change: the storage has already derived its signer, URLs and upload settings from them. Build a new storage from new options instead.");
        }
    }
}
