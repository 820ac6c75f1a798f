namespace Coffer;

/// <summary>
/// The storage's backing service (an S3 endpoint, a disk) could not be reached or refused the request for a
/// reason that is not the caller's input. Nothing was stored.
/// </summary>
public sealed class StorageUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string storageName, string message, Exception? innerException = null)
        : base(message, innerException) => StorageName = storageName;

    /// <summary>The name of the storage that failed.</summary>
    public string StorageName { get; }
}
