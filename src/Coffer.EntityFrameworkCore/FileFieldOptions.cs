namespace Coffer.EntityFrameworkCore;

/// <summary>How a <see cref="StoredFile"/> property is stored: Django's <c>FileField(storage=…, upload_to=…, max_length=…)</c>.</summary>
public sealed class FileFieldOptions
{
    /// <summary>Default for <see cref="MaxLength"/>: the <c>varchar(100)</c> of a Django <c>FileField</c>.</summary>
    public const int DefaultMaxLength = 100;

    /// <summary>The name of the storage the files go to (<c>"private"</c>), as the <see cref="IFileStorageProvider"/> given to <c>UseCoffer</c> knows it. Required.</summary>
    public string Storage { get; set; } = "";

    /// <summary>Where uploads go inside the storage (<c>"files"</c>, <c>"files/{yyyy}/{MM}"</c>, or a delegate that is given the entity). Default: the storage's root.</summary>
    public UploadTo? UploadTo { get; set; }

    /// <summary>
    /// The column's length and the longest name a save may store: a longer name is shortened by the name pipeline
    /// (the random suffix takes part of the root), and a name that cannot be made to fit is an error before any upload.
    /// The storage's own <see cref="FileStorageOptions.MaxNameLength"/> applies too when it is shorter. Default: 100.
    /// </summary>
    public int MaxLength { get; set; } = DefaultMaxLength;

    /// <summary>
    /// Whether the old file is deleted from the storage after the transaction that deletes its row, replaces it or
    /// clears the field has committed. <see langword="null"/> (the default) means: on for a private storage, off for a
    /// public one.
    /// </summary>
    /// <remarks>
    /// A private file is reachable only through its row (its URLs are signed from the row and expire), so once the row
    /// lets go of it nobody can reach it and keeping it only keeps personal data around. A public file's plain URL may
    /// have been copied into pages, e-mails and CDN caches, so deleting it is left to an explicit choice. With this on,
    /// a name must belong to one row only: two rows that share a name (<see cref="StoredFile.FromName"/>) lose the file
    /// when either lets go of it.
    /// </remarks>
    public bool? DeleteOldFiles { get; set; }

    /// <summary>
    /// Extra work done when the field's content is saved or its file let go of (checking, rewriting, variants), such as
    /// Coffer.Images' <c>IsImageField</c> sets. Default: none.
    /// </summary>
    public FileFieldHandler? Handler { get; set; }

    internal FileFieldOptions Clone() => new() { Storage = Storage, UploadTo = UploadTo, MaxLength = MaxLength, DeleteOldFiles = DeleteOldFiles, Handler = Handler };
}
