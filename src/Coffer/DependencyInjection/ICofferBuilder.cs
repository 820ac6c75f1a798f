using Coffer;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds storage backends and storages to Coffer; returned by <c>AddCoffer</c>. Packages add themselves through it:
/// a backend such as Coffer.S3 (<c>AddS3()</c>), or Coffer.AspNetCore's upload rules (<c>AddFileUploader()</c>).
/// Every method returns the same builder.
/// </summary>
public interface ICofferBuilder
{
    /// <summary>The service collection Coffer is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// Registers a storage backend: the value of a storage's <c>Backend</c> setting (<c>"Local"</c>, <c>"S3"</c>) and how
    /// to build a storage of that kind. The Local backend is built in; a package such as Coffer.S3 adds its own with an
    /// extension method (<c>AddS3()</c>) that calls this one. Registering a name again replaces the backend.
    /// </summary>
    /// <typeparam name="TOptions">
    /// The backend's settings. For each storage, Coffer creates them as named options (the name is the storage's name):
    /// first the defaults (<see cref="FileStorageOptions.Location"/> is the storage's name; the storage named <c>public</c>
    /// is <see cref="FileVisibility.Public"/>), then <c>Coffer:Storages:{name}</c> from configuration, then anything
    /// registered with <c>services.Configure&lt;TOptions&gt;(name, …)</c> or <see cref="AddStorage{TOptions}"/>.
    /// </typeparam>
    /// <param name="backend">The backend's name, matched case-insensitively against the <c>Backend</c> setting.</param>
    /// <param name="factory">
    /// Builds a storage from the app's services, the storage's name and its settings. The storage validates its settings
    /// (as every <see cref="FileStorage"/> does); Coffer reports each failure with the configuration key it came from.
    /// </param>
    /// <returns>This builder.</returns>
    ICofferBuilder AddBackend<TOptions>(string backend, Func<IServiceProvider, string, TOptions, FileStorage> factory)
        where TOptions : FileStorageOptions, new();

    /// <summary>
    /// Adds a storage in code, beside those under <c>Coffer:Storages</c> in configuration (and the built-in
    /// <c>private</c> and <c>public</c>). A <c>Backend</c> setting in configuration still wins over
    /// <paramref name="backend"/>; if it names a backend with other settings, start-up fails and says so.
    /// </summary>
    /// <typeparam name="TOptions">The settings type of <paramref name="backend"/>.</typeparam>
    /// <param name="name">The storage's name: letters, digits, <c>-</c> and <c>_</c>.</param>
    /// <param name="backend">The backend's name (<c>"Local"</c>, <c>"S3"</c>).</param>
    /// <param name="configure">Sets the storage's settings; runs after configuration is bound, so it wins over it.</param>
    /// <returns>This builder.</returns>
    ICofferBuilder AddStorage<TOptions>(string name, string backend, Action<TOptions>? configure = null)
        where TOptions : FileStorageOptions;
}
