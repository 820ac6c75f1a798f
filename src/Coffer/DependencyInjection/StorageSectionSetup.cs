using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>
/// The first two layers of a storage's settings: Coffer's defaults, then <c>Coffer:Storages:{name}</c>.
/// Runs for every named instance of <typeparamref name="TOptions"/>; code registered later runs after it.
/// </summary>
internal sealed class StorageSectionSetup<TOptions>(CofferConfiguration configuration) : IConfigureNamedOptions<TOptions>
    where TOptions : class
{
    /// <summary>The storage whose default visibility is public.</summary>
    public const string PublicStorageName = "public";

    public void Configure(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        if (options is FileStorageOptions storage)
        {
            // Each storage in its own folder or key prefix by default, so that none serves another's files.
            storage.Location = name;
            if (string.Equals(name, PublicStorageName, StringComparison.OrdinalIgnoreCase))
            {
                storage.Visibility = FileVisibility.Public;
            }
        }

        if (configuration.GetStorageSection(name) is { } section && section.Exists())
        {
            section.Bind(options);
        }
    }

    public void Configure(TOptions options) => Configure(Options.DefaultName, options);
}
