using Coffer.AspNetCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds what Coffer.AspNetCore brings to the storages <c>AddCoffer</c> registers.</summary>
/// <remarks>
/// <c>AddCoffer</c> itself is the Coffer package's, for every host; this package has no registration of its own beside
/// it. <c>MapCoffer()</c> needs nothing more than <c>AddCoffer</c>; the uploader needs <see cref="AddFileUploader"/>.
/// </remarks>
public static class CofferAspNetCoreBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="FileUploader"/> and each storage's upload rules (<see cref="FileUploadOptions"/>), bound
    /// from <c>Coffer:Storages:{name}</c> beside the storage's settings: <c>services.AddCoffer(configuration).AddFileUploader()</c>.
    /// </summary>
    /// <remarks>This operation is idempotent.</remarks>
    /// <param name="builder">The builder <c>AddCoffer</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static ICofferBuilder AddFileUploader(this ICofferBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStorageSettings<FileUploadOptions>();
        builder.Services.TryAddSingleton<FileUploader>();
        return builder;
    }
}
