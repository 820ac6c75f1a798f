namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// A configured file property: its options, a name for messages (<c>Document.File</c>), and the storages of the model
/// it belongs to. Every value read from the database goes through the field's converter, whatever the query (entities,
/// projections, compiled queries, raw SQL), so the field is where a value learns its storage.
/// </summary>
internal sealed class FileField(FileFieldOptions options, string displayName)
{
    private IFileStorageProvider? _storages;
    private FileStorage? _storage;
    private bool _sharedByProviders;

    public FileFieldOptions Options { get; } = options;

    public string DisplayName { get; } = displayName;

    /// <summary>Whether the field's model was built for a context configured with <c>UseCoffer</c>.</summary>
    public bool HasStorages => _storages is not null;

    /// <summary>The field's storage, or <see langword="null"/> when its model was built without <c>UseCoffer</c>.</summary>
    /// <exception cref="InvalidOperationException">The model is shared by contexts with different storages.</exception>
    public FileStorage? Storage
    {
        get
        {
            if (_sharedByProviders)
            {
                throw new InvalidOperationException(
                    $"The model of '{DisplayName}' is used by contexts configured with different storages (UseCoffer), so a value read by a query cannot tell which storage it belongs to. "
                    + "Coffer keys the model cache by the storages; an IModelCacheKeyFactory replaced by the app must do the same.");
            }

            return _storage ??= _storages?.GetStorage(Options.Storage);
        }
    }

    /// <summary>Called once per model build by <see cref="FileFieldStorageConvention"/>.</summary>
    public void UseStorages(IFileStorageProvider storages)
    {
        if (_storages is not null && !ReferenceEquals(_storages, storages))
        {
            _sharedByProviders = true;
        }

        _storages = storages;
    }

    public bool DeletesOldFiles(FileStorage storage) =>
        Options.DeleteOldFiles ?? storage.Options.Visibility == FileVisibility.Private;

    public FileSaveOptions SaveOptions(object entity, PendingContent pending) => new()
    {
        UploadTo = Options.UploadTo,
        Instance = entity,
        ContentType = pending.ContentType,
        MaxNameLength = Options.MaxLength,
    };
}
