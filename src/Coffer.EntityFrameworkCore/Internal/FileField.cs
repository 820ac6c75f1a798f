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

    /// <summary>The keys of the variants a stored file of this field has.</summary>
    public IEnumerable<string> VariantKeys => Options.Handler?.Variants.Keys ?? [];

    /// <summary>The name of a stored file's variant.</summary>
    /// <exception cref="ArgumentException">The field has no variant <paramref name="key"/>.</exception>
    public string GetVariantName(string name, string key)
    {
        if (Options.Handler?.Variants is not { } variants || !variants.TryGetValue(key, out var extension))
        {
            throw new ArgumentException(
                $"The file field '{DisplayName}' has no variant '{key}'; it has {(VariantKeys.Any() ? string.Join(", ", VariantKeys.Select(k => $"'{k}'")) : "none")}.", nameof(key));
        }

        return FileFieldHandler.GetVariantName(name, key, extension);
    }

    public FileSaveOptions SaveOptions(object entity, string? contentType, FileStorage storage) => new()
    {
        UploadTo = Options.UploadTo,
        Instance = entity,
        ContentType = contentType,
        // A variant is named from its file plus a suffix: the file's name leaves room for the longest.
        MaxNameLength = Math.Min(Options.MaxLength, storage.Options.MaxNameLength - LongestVariantSuffix),
    };

    private int LongestVariantSuffix => Options.Handler?.Variants.Max(v => 1 + v.Key.Length + v.Value.Length) ?? 0;
}
