using Coffer.EntityFrameworkCore.Internal;

namespace Coffer.EntityFrameworkCore;

/// <summary>
/// The value of a file field on an entity: Django's <c>FieldFile</c>. The database column keeps only
/// <see cref="Name"/>; the file itself lives in the field's storage. A field loaded by a <see cref="Microsoft.EntityFrameworkCore.DbContext"/>
/// configured with <c>UseCoffer</c> knows its storage, so <c>document.File.Url</c> works with no other plumbing.
/// </summary>
/// <remarks>
/// A field is in one of three states. <b>Empty</b>: no file (<see cref="HasFile"/> is <see langword="false"/>; the
/// column holds <c>""</c>). <b>Stored</b>: <see cref="Name"/> names a file in the storage. <b>Pending</b>: new content
/// was assigned with <see cref="FromStream"/> and is uploaded by the next <c>SaveChanges</c>, which then replaces the
/// property's value with a stored field. A value is immutable: to change the file, assign a new <see cref="StoredFile"/>.
/// </remarks>
public sealed class StoredFile : IEquatable<StoredFile>
{
    private readonly PendingContent? _pending;
    private FileStorage? _storage;

    internal StoredFile(string? name, PendingContent? pending, FileField? field)
    {
        Name = name;
        _pending = pending;
        Field = field;
    }

    /// <summary>A field with no file. Assign it to clear a field (the old file is deleted after the commit when the field's policy says so).</summary>
    public static StoredFile Empty { get; } = new(null, null, null);

    /// <summary>The stored name (<c>files/report.pdf</c>), relative to the storage's location; <see langword="null"/> when the field is empty or pending.</summary>
    public string? Name { get; }

    /// <summary>Whether a stored file is associated with the field (Django: <c>bool(instance.file)</c>).</summary>
    public bool HasFile => Name is not null;

    /// <summary>Whether the field holds new content that the next <c>SaveChanges</c> uploads.</summary>
    public bool IsPending => _pending is not null;

    /// <summary>The file name given to <see cref="FromStream"/> for pending content; <see langword="null"/> otherwise.</summary>
    public string? OriginalFileName => _pending?.FileName;

    /// <summary>The storage the file lives in.</summary>
    /// <exception cref="InvalidOperationException">
    /// The value was made by hand (<see cref="FromName"/>, <see cref="FromStream"/>) and not saved yet, or read through a
    /// context configured without <c>UseCoffer</c>.
    /// </exception>
    public FileStorage Storage => _storage ?? Field?.Storage ?? throw NotBound();

    internal PendingContent? Pending => _pending;

    internal FileField? Field { get; private set; }

    /// <summary>
    /// New content for a file field: assign it to the entity's property; the next <c>SaveChanges</c> runs the name
    /// pipeline (upload-to, valid name, available name within the column's length), uploads, and stores the final name.
    /// </summary>
    /// <param name="content">The file's bytes; read once by <c>SaveChanges</c> and not disposed. A seekable stream is rewound if the save fails, so the save can be retried.</param>
    /// <param name="fileName">The original file name, for example what the browser sent (<c>My report.pdf</c>).</param>
    /// <param name="contentType">The content type to store with the file; <see langword="null"/> to let the storage guess it.</param>
    /// <exception cref="InvalidFileNameException">The file name is refused (traversal, control characters, …).</exception>
    public static StoredFile FromStream(Stream content, string fileName, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        FileNames.Validate(fileName);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        return new StoredFile(null, new PendingContent(content, fileName, contentType, content.CanSeek ? content.Position : null), null);
    }

    /// <summary>
    /// A field that refers to a file already in the storage (Django: assigning <c>instance.file.name</c>), for example one a
    /// browser uploaded directly. The name is checked against the column's length by <c>SaveChanges</c> before anything is written;
    /// a field with a handler (an image field) adopts the file in that save (<see cref="FileFieldHandler.AdoptAsync"/>): it reads and checks it.
    /// </summary>
    /// <param name="name">The stored name, relative to the storage's location.</param>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public static StoredFile FromName(string name)
    {
        FileNames.Validate(name);
        return new StoredFile(name, null, null);
    }

    /// <summary>
    /// A field that refers to a file a client sent straight to the storage (a direct upload), once its ticket was read
    /// (<c>DirectUploads.Read</c> in Coffer.AspNetCore checks the signature, the caller and the expiry). The next
    /// <c>SaveChanges</c> commits it with the row: it checks that the ticket is for the field's storage, that the object
    /// is complete and no longer than declared, and removes the upload's pending ledger entry in the row's own transaction,
    /// so a ticket commits once. A field with a handler (an image field) adopts the file in the same save
    /// (<see cref="FileFieldHandler.AdoptAsync"/>), and may refuse it. Nothing is deleted if the save fails: the upload
    /// stays pending, and can be committed again until its ticket expires.
    /// </summary>
    /// <param name="upload">The verified upload.</param>
    public static StoredFile FromUpload(DirectUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return new StoredFile(upload.Name, null, null) { Upload = upload };
    }

    /// <summary>The direct upload this value commits, until <c>SaveChanges</c> has committed it.</summary>
    internal DirectUpload? Upload { get; private init; }

    /// <summary>The URL of the file (Django: <c>instance.file.url</c>): signed and expiring for a private storage. Makes no network call.</summary>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a storage.</exception>
    public string Url => GetUrl().Url;

    /// <summary>The URL of the file, with its expiry. Makes no network call and does not check that the file exists.</summary>
    /// <param name="options">Expiry and response overrides; <see langword="null"/> for the storage's defaults.</param>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a storage.</exception>
    public FileUrl GetUrl(FileUrlOptions? options = null) => Storage.GetUrl(RequireName(), options);

    /// <summary>
    /// The variant <paramref name="key"/> of the stored file (<c>photo.Image.Variant("thumb").Url</c>): a sibling file in the
    /// same storage, named from this one's name, so its URL is signed like this one's with no lookup and no network call.
    /// </summary>
    /// <param name="key">The variant's key, as the field's handler names it (<c>"thumb"</c>).</param>
    /// <returns>The variant, bound to the same storage.</returns>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a field and storage.</exception>
    /// <exception cref="ArgumentException">The field has no such variant.</exception>
    public StoredFile Variant(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string name = RequireName();
        var field = Field ?? throw NotBound();
        var variant = new StoredFile(field.GetVariantName(name, key), null, null) { _storage = Storage };
        return variant;
    }

    /// <summary>The keys of the variants this field's files have (<c>thumb</c>, <c>preview</c>); empty for a plain file field or a value not bound to one.</summary>
    public IEnumerable<string> VariantKeys => Field?.VariantKeys ?? [];

    /// <summary>Opens the file for reading.</summary>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a storage.</exception>
    /// <exception cref="FileNotFoundException">The storage has no file under <see cref="Name"/>.</exception>
    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => Storage.OpenReadAsync(RequireName(), cancellationToken);

    /// <summary>Size, last-modified time and content type of the file.</summary>
    /// <returns>The file's info; check <see cref="StoredFileInfo.Exists"/>.</returns>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a storage.</exception>
    public Task<StoredFileInfo> GetInfoAsync(CancellationToken cancellationToken = default) => Storage.GetInfoAsync(RequireName(), cancellationToken);

    /// <summary>The size of the file in bytes (Django: <c>instance.file.size</c>).</summary>
    /// <exception cref="InvalidOperationException">The field is empty, pending, or not bound to a storage.</exception>
    /// <exception cref="FileNotFoundException">The storage has no file under <see cref="Name"/>.</exception>
    public async Task<long> GetSizeAsync(CancellationToken cancellationToken = default)
    {
        var info = await GetInfoAsync(cancellationToken).ConfigureAwait(false);
        return info.Exists ? info.Length : throw new FileNotFoundException($"Storage '{Storage.Name}' has no file named '{Name}'.", Name);
    }

    /// <summary>Whether two fields hold the same stored name, or the same pending content.</summary>
    public bool Equals(StoredFile? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && ReferenceEquals(_pending, other._pending);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StoredFile);

    /// <inheritdoc />
    public override int GetHashCode() => _pending is not null ? _pending.GetHashCode() : StringComparer.Ordinal.GetHashCode(Name ?? "");

    /// <summary>The stored name, or <c>""</c> when there is none (Django: <c>str(instance.file)</c>).</summary>
    public override string ToString() => Name ?? "";

    /// <summary>Binds a value read from the database to its field and storage; a value is bound once.</summary>
    internal void Bind(FileField field, FileStorage storage)
    {
        if (ReferenceEquals(this, Empty))
        {
            return;
        }

        Field ??= field;
        _storage ??= storage;
    }

    private string RequireName()
    {
        if (_pending is not null)
        {
            throw new InvalidOperationException(
                $"The file '{_pending.FileName}' assigned to '{FieldName}' is not saved yet; it gets its name, size and URL when SaveChanges uploads it.");
        }

        return Name ?? throw new InvalidOperationException($"The '{FieldName}' attribute has no file associated with it.");
    }

    private InvalidOperationException NotBound() => new(
        !HasFile && !IsPending ? $"The '{FieldName}' attribute has no file associated with it."
        : IsPending ? $"The file '{_pending!.FileName}' is not saved yet, so it is not bound to a storage: it gets its name, size and URL when SaveChanges uploads it."
        : Field is null ? $"The file field holding '{Name}' was made by hand (StoredFile.FromName), so it is not bound to a storage until its entity is saved through a DbContext configured with optionsBuilder.UseCoffer(storages). For a URL of a name without an entity, call storage.GetUrl(name)."
        : $"The file field '{FieldName}' is not bound to a storage: it was read through a DbContext configured without optionsBuilder.UseCoffer(storages), which binds every file field it reads or writes.");

    private string FieldName => Field?.DisplayName ?? "file";
}
