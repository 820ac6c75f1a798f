namespace Coffer;

/// <summary>
/// A direct upload whose ticket was verified (signature, caller, expiry): the file a client sent straight to a storage,
/// under a name the server chose. Attach it to an entity with <c>StoredFile.FromUpload</c>; the save that commits the
/// entity checks that the object is complete and within the declared length, and commits the upload once.
/// </summary>
/// <remarks>
/// Made by the app's ticket service from a ticket string it signed (<c>DirectUploads.Read</c> in Coffer.AspNetCore), never
/// from what a client says: every property here was chosen by the server when the upload started.
/// </remarks>
public sealed class DirectUpload
{
    /// <summary>Creates the value. Only a ticket service calls this, with what it signed.</summary>
    public DirectUpload(string storage, string name, string fileName, long length, string contentType, DirectUploadMethod method,
        string? uploadId, long partSize, long? ledgerEntryId, DateTime? ledgerDueAt, string? owner, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(storage);
        FileNames.Validate(name);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        Storage = storage;
        Name = name;
        FileName = fileName;
        Length = length;
        ContentType = contentType;
        Method = method;
        UploadId = uploadId;
        PartSize = partSize;
        LedgerEntryId = ledgerEntryId;
        LedgerDueAt = ledgerDueAt;
        Owner = owner;
        ExpiresAt = expiresAt;
    }

    /// <summary>The storage the file was sent to.</summary>
    public string Storage { get; }

    /// <summary>The stored name the server chose (relative to the storage's location).</summary>
    public string Name { get; }

    /// <summary>The file name the client declared (<c>holiday.mov</c>), for display and as a download name.</summary>
    public string FileName { get; }

    /// <summary>The length the client declared: a form may hold up to this many bytes, parts exactly this many.</summary>
    public long Length { get; }

    /// <summary>The content type the object is stored with.</summary>
    public string ContentType { get; }

    /// <summary>How the client sends the bytes.</summary>
    public DirectUploadMethod Method { get; }

    /// <summary>The backend's id of an upload in parts; <see langword="null"/> for a form.</summary>
    public string? UploadId { get; }

    /// <summary>The length of every part but the last; 0 for a form.</summary>
    public long PartSize { get; }

    /// <summary>The key of the upload's pending entry in the file ledger, which the commit removes; <see langword="null"/> without a ledger.</summary>
    public long? LedgerEntryId { get; }

    /// <summary>The entry's due time as written (UTC), the commit's concurrency token: an entry the sweep took over no longer matches.</summary>
    public DateTime? LedgerDueAt { get; }

    /// <summary>Who started the upload (the caller's id); only they may send, complete or commit it.</summary>
    public string? Owner { get; }

    /// <summary>When the ticket stops working.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>How many parts the file has; 0 for a form.</summary>
    public int PartCount => Method == DirectUploadMethod.Parts ? DirectUploadParts.Count(Length, PartSize) : 0;

    /// <summary>The exact length of part <paramref name="partNumber"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The file has no such part.</exception>
    public long GetPartLength(int partNumber) => DirectUploadParts.Length(partNumber, Length, PartSize);
}
