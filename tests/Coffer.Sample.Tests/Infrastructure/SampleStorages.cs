namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>
/// Where an app under test keeps its files: it gives the app its settings (as environment variables) and lets the
/// tests look into the store itself, past the app, to see what is really stored.
/// </summary>
public interface ISampleStorage : IAsyncDisposable
{
    /// <summary>Prepares the store for one app and returns the settings that point the app's storages at it.</summary>
    Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken);

    /// <summary>Every object the store holds for the app's storage <paramref name="storage"/> (<c>private</c> or <c>public</c>), by stored name.</summary>
    Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken);
}

/// <summary>The embedded default: no settings at all, so the storages are folders under <c>App_Data/coffer</c> in the content root.</summary>
public sealed class DiskSampleStorage : ISampleStorage
{
    private string _root = "";

    public Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        _root = Path.Combine(contentRoot, "App_Data", "coffer");
        return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
    }

    public Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(_root, storage);
        IReadOnlyList<string> names = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        return Task.FromResult(names);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the folders go with the content root
}
