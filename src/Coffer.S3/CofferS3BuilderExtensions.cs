using Coffer.S3;
using Microsoft.Extensions.Logging;

// Extension methods live in the extended type's namespace.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the S3 backend to Coffer: <c>services.AddCoffer().AddS3()</c>.</summary>
public static class CofferS3BuilderExtensions
{
    /// <summary>
    /// Registers the <c>S3</c> backend, so that a storage configured with <c>"Backend": "S3"</c> under
    /// <c>Coffer:Storages:{name}</c> is an <see cref="S3FileStorage"/> bound from that section (settings of
    /// <see cref="S3FileStorageOptions"/>). Calling it again changes nothing.
    /// </summary>
    /// <param name="builder">The builder <c>AddCoffer</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static ICofferBuilder AddS3(this ICofferBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackend<S3FileStorageOptions>("S3", static (services, name, options) =>
            new S3FileStorage(name, options, logger: services.GetService<ILogger<S3FileStorage>>(), timeProvider: services.GetService<TimeProvider>()));
    }

    /// <summary>Adds an S3 storage in code (and the S3 backend); configuration under <c>Coffer:Storages:{name}</c> still applies first.</summary>
    /// <param name="builder">The builder <c>AddCoffer</c> returned.</param>
    /// <param name="name">The storage's name (<c>"private"</c>).</param>
    /// <param name="configure">Sets the storage's settings; runs after configuration is bound.</param>
    /// <returns>The same builder.</returns>
    public static ICofferBuilder AddS3Storage(this ICofferBuilder builder, string name, Action<S3FileStorageOptions>? configure = null) =>
        builder.AddS3().AddStorage(name, "S3", configure);
}
