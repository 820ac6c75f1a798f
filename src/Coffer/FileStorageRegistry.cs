namespace Coffer;

/// <summary>Finds a storage by its name (<c>"private"</c>, <c>"public"</c>), like Django's <c>storages[alias]</c>.</summary>
public interface IFileStorageProvider
{
    /// <summary>The names of the storages there are.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The storage called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No storage has that name; the message lists the names there are.</exception>
    FileStorage GetStorage(string name);
}

/// <summary>A fixed set of named storages.</summary>
public sealed class FileStorageRegistry : IFileStorageProvider
{
    private readonly Dictionary<string, FileStorage> _storages;

    /// <summary>Creates a registry of <paramref name="storages"/>, each under its <see cref="FileStorage.Name"/>.</summary>
    /// <exception cref="ArgumentException">Two storages share a name.</exception>
    public FileStorageRegistry(IEnumerable<FileStorage> storages)
    {
        ArgumentNullException.ThrowIfNull(storages);
        _storages = new Dictionary<string, FileStorage>(StringComparer.Ordinal);
        foreach (var storage in storages)
        {
            if (!_storages.TryAdd(storage.Name, storage))
            {
                throw new ArgumentException($"Two storages are named '{storage.Name}'; storage names must be unique.", nameof(storages));
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => _storages.Keys;

    /// <inheritdoc />
    public FileStorage GetStorage(string name) =>
        _storages.TryGetValue(name, out var storage)
            ? storage
            : throw new InvalidOperationException(
                $"No storage is named '{name}'. Configured storages: {(_storages.Count == 0 ? "none" : string.Join(", ", _storages.Keys.Order(StringComparer.Ordinal)))}. Add it under Coffer:Storages in configuration.");
}
