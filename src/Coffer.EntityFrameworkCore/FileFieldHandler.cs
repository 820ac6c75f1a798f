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
    /// The field no longer holds a file the handler saw saved: it was cleared, or set to a name stored another way
    /// (<see cref="StoredFile.FromName"/>). Clears what <see cref="SaveAsync"/> filled; the default does nothing.
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
