namespace Coffer;

/// <summary>
/// The storage's backing service (an S3 endpoint, a disk) could not be reached or refused the request for a
/// reason that is not the caller's input. Nothing was stored, unless <see cref="UnconfirmedName"/> says otherwise.
/// </summary>
public sealed class StorageUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string storageName, string message, Exception? innerException = null)
        : base(message, innerException) => StorageName = storageName;

    /// <summary>The name of the storage that failed.</summary>
    public string StorageName { get; }

    /// <summary>
    /// When a save's answer was lost after the store may have stored the file (a timeout once the content was sent), and
    /// the storage could not remove it: the name it may be stored under. <see langword="null"/> when nothing is stored.
    /// An app can delete it later, or leave it to the orphan sweeper; no row refers to it.
    /// </summary>
    public string? UnconfirmedName { get; init; }
}
