using Coffer;
using Coffer.AspNetCore;
using Coffer.AspNetCore.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts upload endpoints under a storage's size limit instead of the server's.</summary>
public static class FileUploadEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Makes the <see cref="FileStorageOptions.MaxFileSize"/> of the storage <paramref name="storageName"/> the size
    /// limit of the endpoints: their request body limit (Kestrel's is 30,000,000 bytes by default) and the form's
    /// <c>MultipartBodyLengthLimit</c> (128 MB by default) become that size plus 64 KB for the form's boundaries and
    /// headers. A larger upload is refused with <see cref="FileUploader"/>'s 413 problem, which names the limit
    /// ("The file is larger than 100 MB, …"), whether it is refused by its declared length, while the form is read, or
    /// by the uploader. Use it on endpoints that take an <c>IFormFile</c> or call <see cref="FileUploader.SaveMultipartAsync"/>.
    /// </summary>
    /// <remarks>
    /// A storage without a <see cref="FileStorageOptions.MaxFileSize"/> leaves the endpoints under the server's limit.
    /// The limit is read when the endpoints are built; storages are built once, at start-up.
    /// </remarks>
    /// <example>
    /// <code>
    /// app.MapPost("/files", async (IFormFile file, [FromKeyedServices("private")] FileStorage storage, FileUploader uploader) =>
    /// {
    ///     var upload = await uploader.SaveAsync(storage, file);
    ///     return upload.Succeeded ? Results.Ok(new { upload.Name }) : upload.Problem;
    /// }).WithFileUploadLimits("private");
    /// </code>
    /// </example>
    /// <typeparam name="TBuilder">The type of the convention builder.</typeparam>
    /// <param name="builder">The upload endpoints.</param>
    /// <param name="storageName">The storage the endpoints save into.</param>
    /// <returns>The same <paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">
    /// When the endpoints are built: <c>AddCoffer</c> was not called, or no storage is named <paramref name="storageName"/>.
    /// </exception>
    public static TBuilder WithFileUploadLimits<TBuilder>(this TBuilder builder, string storageName)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(storageName);

        // Finally: the request delegate (form binding included) exists only once the endpoint's handler is built.
        builder.Finally(endpoint =>
        {
            var storages = endpoint.ApplicationServices.GetService<IFileStorageProvider>()
                ?? throw new InvalidOperationException(
                    "Unable to find the required services. Please add all the required services by calling 'IServiceCollection.AddCoffer' in the application startup code.");
            var storage = storages.GetStorage(storageName);
            if (storage.Options.MaxFileSize is not { } maxFileSize)
            {
                return;
            }

            long limit = UploadLimits.RequestBodyLimit(maxFileSize);
            endpoint.Metadata.Add(new UploadLimits.RequestSizeLimit(limit));
            endpoint.Metadata.Add(new UploadLimits.FormLimit(limit));
            if (endpoint.RequestDelegate is { } inner)
            {
                endpoint.RequestDelegate = UploadLimits.Guard(inner, storage, limit);
            }
        });
        return builder;
    }
}
