using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Coffer.EntityFrameworkCore;

/// <summary>
/// Extra work a file field does when its content is saved or its file is let go of: checking or rewriting the
/// content, filling other properties of the entity, and storing variant files (variants) in the same unit of work.
/// Set on <see cref="FileFieldOptions.Handler"/>; Coffer.Images' image fields are one. A handler is shared by every
/// save of its field, so it keeps no state of its own.
/// </summary>
public abstract class FileFieldHandler
{
    /// <summary>
    /// The variant files a stored file of this field may have, by key (<c>"thumb"</c>) with their extension
    /// (<c>".webp"</c>). A variant is named from its file (<see cref="GetVariantName"/>), so its URL needs no lookup, and it
    /// is deleted with its file. Default: none.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> Variants { get; } = new Dictionary<string, string>();

    /// <summary>
    /// The name of the variant <paramref name="key"/> of the stored file <paramref name="name"/>:
    /// <c>files/cat_x1Y2z3A.jpg</c> and <c>thumb</c> with <c>.webp</c> give <c>files/cat_x1Y2z3A.jpg~thumb.webp</c>.
    /// The name pipeline drops <c>~</c> from every name it makes, so no upload can take a variant's name; and a private
    /// storage never reuses a file's name, so a variant's name, like its file's, names one upload.
    /// </summary>
    /// <param name="name">The stored name of the file.</param>
    /// <param name="key">The variant's key.</param>
    /// <param name="extension">The variant's extension, with its dot.</param>
    /// <returns>The variant's stored name.</returns>
    public static string GetVariantName(string name, string key, string extension) =>
        string.Concat(name, VariantSeparator, key, extension);

    /// <summary>Saves new content of the field; the default saves it as it is.</summary>
    /// <param name="save">The content, the entity, and the methods that store the file and its variants.</param>
    /// <param name="cancellationToken">Cancels the save; what was stored is removed again.</param>
    /// <returns>The stored name of the file, as <see cref="FileFieldSave.SaveAsync"/> returned it.</returns>
    public virtual Task<string> SaveAsync(FileFieldSave save, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(save);
        return save.SaveAsync(save.Content, save.FileName, save.ContentType, cancellationToken);
    }

    /// <summary>
    /// The field is set to a file that is already in the storage, so its content did not pass through
    /// <see cref="SaveAsync"/> in this save: a direct upload (<see cref="StoredFile.FromUpload"/>), an existing object
    /// (<see cref="StoredFile.FromName"/>), or the file of another row. Runs in the <c>SaveChanges</c>, after a direct
    /// upload's checks and before the database is written, so a handler can check the content the way it checks a save
    /// (an exception refuses the whole save and nothing is committed: a direct upload stays pending), fill other
    /// properties, and store a rewritten copy (<see cref="FileFieldAdoption.SaveCopyAsync"/>) and variants in the same
    /// unit of work. The default calls <see cref="FileChanged"/>.
    /// </summary>
    /// <param name="adoption">The entity, the stored name, and the methods that read it and store a copy and variants.</param>
    /// <param name="cancellationToken">Cancels the save; what was stored is removed again.</param>
    /// <returns>A task that completes once the file is adopted.</returns>
    public virtual Task AdoptAsync(FileFieldAdoption adoption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adoption);
        FileChanged(adoption.Entry, adoption.File);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The field no longer holds a file: it was cleared (or, through the default <see cref="AdoptAsync"/>, set to a file
    /// already stored). Clears what <see cref="SaveAsync"/> filled; the default does nothing.
    /// </summary>
    /// <param name="entry">The entity whose field changed.</param>
    /// <param name="file">The field's new value (<see cref="StoredFile.Empty"/> when cleared).</param>
    public virtual void FileChanged(EntityEntry entry, StoredFile file)
    {
    }

    internal const char VariantSeparator = '~';
}

/// <summary>One save of new content into a file field, as a <see cref="FileFieldHandler"/> sees it.</summary>
public sealed class FileFieldSave
{
    private readonly Func<Stream, string, string?, CancellationToken, Task<string>> _save;
    private readonly Func<string, string, Stream, string?, CancellationToken, Task> _saveVariant;
    private string? _storedName;

    internal FileFieldSave(
        EntityEntry entry, FileStorage storage, PendingContent pending, string fieldName,
        Func<Stream, string, string?, CancellationToken, Task<string>> save,
        Func<string, string, Stream, string?, CancellationToken, Task> saveVariant)
    {
        Entry = entry;
        Storage = storage;
        Content = pending.Content;
        FileName = pending.FileName;
        ContentType = pending.ContentType;
        FieldName = fieldName;
        _save = save;
        _saveVariant = saveVariant;
    }

    /// <summary>The entity being saved; its other properties may be set (they are written in the same <c>SaveChanges</c>).</summary>
    public EntityEntry Entry { get; }

    /// <summary>The field's storage.</summary>
    public FileStorage Storage { get; }

    /// <summary>The content assigned to the field, read from its current position.</summary>
    public Stream Content { get; }

    /// <summary>The file name given with the content (what the browser sent).</summary>
    public string FileName { get; }

    /// <summary>The content type given with the content, if any.</summary>
    public string? ContentType { get; }

    /// <summary>The field, for messages (<c>Photo.Image</c>).</summary>
    public string FieldName { get; }

    /// <summary>Stores the file through the field's name pipeline; call it once.</summary>
    /// <param name="content">What to store: the assigned content or a rewritten copy.</param>
    /// <param name="fileName">The name to give the pipeline (the assigned one, or one with a corrected extension).</param>
    /// <param name="contentType">The content type to store.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>The stored name.</returns>
    /// <exception cref="InvalidOperationException">The file was stored already.</exception>
    public async Task<string> SaveAsync(Stream content, string fileName, string? contentType, CancellationToken cancellationToken)
    {
        if (_storedName is not null)
        {
            throw new InvalidOperationException($"The file of '{FieldName}' is stored already (as '{_storedName}'); a save stores it once.");
        }

        _storedName = await _save(content, fileName, contentType, cancellationToken).ConfigureAwait(false);
        return _storedName;
    }

    /// <summary>
    /// Stores the variant <paramref name="key"/> of the stored file, under its derived name, in the same unit of work:
    /// a save that fails, or a transaction that rolls back, removes it with the file.
    /// </summary>
    /// <param name="key">A key of <see cref="FileFieldHandler.Variants"/>.</param>
    /// <param name="content">The variant's bytes.</param>
    /// <param name="contentType">Its content type.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="InvalidOperationException">The file is not stored yet.</exception>
    public Task SaveVariantAsync(string key, Stream content, string? contentType, CancellationToken cancellationToken)
    {
        string name = _storedName ?? throw new InvalidOperationException($"The file of '{FieldName}' must be stored (SaveAsync) before its variants.");
        return _saveVariant(name, key, content, contentType, cancellationToken);
    }
}

/// <summary>
/// One file adopted by a file field: a name that reached the storage another way (a direct upload, an existing
/// object), as a <see cref="FileFieldHandler"/> sees it in <see cref="FileFieldHandler.AdoptAsync"/>.
/// </summary>
public sealed class FileFieldAdoption
{
    private readonly Func<Stream, string, string?, CancellationToken, Task<string>> _saveCopy;
    private readonly Func<string, string, Stream, string?, CancellationToken, Task> _saveVariant;

    internal FileFieldAdoption(
        EntityEntry entry, FileStorage storage, StoredFile file, StoredFileInfo info, string fileName, string fieldName, bool isDirectUpload,
        Func<Stream, string, string?, CancellationToken, Task<string>> saveCopy,
        Func<string, string, Stream, string?, CancellationToken, Task> saveVariant)
    {
        Entry = entry;
        Storage = storage;
        File = file;
        Name = file.Name!;
        Length = info.Length;
        ContentType = info.ContentType;
        FileName = fileName;
        FieldName = fieldName;
        IsDirectUpload = isDirectUpload;
        _saveCopy = saveCopy;
        _saveVariant = saveVariant;
    }

    /// <summary>The entity being saved; its other properties may be set (they are written in the same <c>SaveChanges</c>).</summary>
    public EntityEntry Entry { get; }

    /// <summary>The field's storage, which holds the file.</summary>
    public FileStorage Storage { get; }

    /// <summary>The field's value, bound to its storage.</summary>
    public StoredFile File { get; }

    /// <summary>The stored name being adopted.</summary>
    public string Name { get; }

    /// <summary>The stored object's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The content type the storage keeps for the object, if it keeps one.</summary>
    public string? ContentType { get; }

    /// <summary>The file's original name: the one its direct upload was given, or the last segment of <see cref="Name"/>.</summary>
    public string FileName { get; }

    /// <summary>The field, for messages (<c>Photo.Image</c>).</summary>
    public string FieldName { get; }

    /// <summary>Whether the file is a direct upload this save commits (<see cref="StoredFile.FromUpload"/>).</summary>
    public bool IsDirectUpload { get; }

    /// <summary>The name the field keeps: the copy's once <see cref="SaveCopyAsync"/> stored one, else <see cref="Name"/>.</summary>
    public string StoredName => CopyName ?? Name;

    internal string? CopyName { get; private set; }

    /// <summary>Opens the stored object for reading (one read of the whole object is the cost of an adoption that checks it).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The content; dispose it.</returns>
    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken) => Storage.OpenReadAsync(Name, cancellationToken);

    /// <summary>
    /// Stores rewritten content (an image without its metadata) as a new file through the field's name pipeline, and
    /// has the field keep it instead of <see cref="Name"/>; call it at most once, before the variants. An object is never
    /// rewritten in place: a name stands for one upload, and other rows or links may share it. The adopted object is
    /// left as it is, except a direct upload's, which nothing else references: it is deleted after the commit, like an
    /// old file. If the save fails, the copy is removed and the direct upload stays pending.
    /// </summary>
    /// <param name="content">The rewritten content.</param>
    /// <param name="fileName">The name to give the pipeline (usually <see cref="FileName"/>).</param>
    /// <param name="contentType">The content type to store.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>The copy's stored name.</returns>
    /// <exception cref="InvalidOperationException">A copy was stored already.</exception>
    public async Task<string> SaveCopyAsync(Stream content, string fileName, string? contentType, CancellationToken cancellationToken)
    {
        if (CopyName is not null)
        {
            throw new InvalidOperationException($"A copy of '{Name}' for '{FieldName}' is stored already (as '{CopyName}'); an adoption stores one.");
        }

        CopyName = await _saveCopy(content, fileName, contentType, cancellationToken).ConfigureAwait(false);
        return CopyName;
    }

    /// <summary>
    /// Stores the variant <paramref name="key"/> of <see cref="StoredName"/>, in the same unit of work: a save that
    /// fails, or a transaction that rolls back, removes it. A variant already stored under its name (the file is
    /// another row's too) is kept as it is.
    /// </summary>
    /// <param name="key">A key of <see cref="FileFieldHandler.Variants"/>.</param>
    /// <param name="content">The variant's bytes.</param>
    /// <param name="contentType">Its content type.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes once the variant is stored.</returns>
    public Task SaveVariantAsync(string key, Stream content, string? contentType, CancellationToken cancellationToken) =>
        _saveVariant(StoredName, key, content, contentType, cancellationToken);
}
