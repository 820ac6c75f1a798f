using Coffer.Local;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>
/// Fills what a local storage leaves unset, after configuration and code: the folder (under the data folder), the
/// base URL (the <c>MapCoffer</c> route) and, for a private storage, the generated signing key.
/// </summary>
internal sealed class LocalStorageDefaults(IOptions<CofferOptions> coffer, CofferPaths paths, SigningKeyFile keyFile)
    : IPostConfigureOptions<LocalFileStorageOptions>
{
    public void PostConfigure(string? name, LocalFileStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        options.RootPath = string.IsNullOrWhiteSpace(options.RootPath) ? paths.DataPath : paths.Resolve(options.RootPath);
        options.BaseUrl ??= string.Concat(coffer.Value.RoutePrefix.TrimEnd('/'), "/", UrlPath.Encode(name, keepSlash: false), "/");
        if (options.Visibility == FileVisibility.Private && options.SigningKeys.Count == 0)
        {
            try
            {
                options.SigningKeys.Add(keyFile.Key);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"{CofferConfiguration.StoragePath(name)}:SigningKeys: none is configured, and the generated key file '{keyFile.Path}' could not be read or written ({ex.Message}). "
                    + "Configure a key there, or make Coffer:DataPath a writable folder.", ex);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidOperationException($"{CofferConfiguration.StoragePath(name)}:SigningKeys: none is configured, and the generated key file cannot be used. {ex.Message}", ex);
            }
        }
    }
}
