using Coffer;
using Coffer.EntityFrameworkCore;
using Coffer.Images;
using Coffer.Images.Internal;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Configures <see cref="StoredFile"/> properties as image fields in <c>OnModelCreating</c>.</summary>
public static class ImageFieldPropertyBuilderExtensions
{
    /// <summary>
    /// Makes the property an image field of <paramref name="storage"/>: a file field whose saves accept only images
    /// (checked on the header, then decoded), store the original without location metadata, and render
    /// <paramref name="configure"/>'s variants beside it in the same unit of work.
    /// </summary>
    /// <param name="property">The <see cref="StoredFile"/> property (<c>entity.Property(e => e.Image)</c>).</param>
    /// <param name="storage">The name of the storage (<c>"public"</c>).</param>
    /// <param name="configure">Sets upload-to, width/height properties, limits and variants; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names each.</exception>
    public static PropertyBuilder<StoredFile> IsImageField(this PropertyBuilder<StoredFile> property, string storage, Action<ImageFieldOptions>? configure = null)
    {
        var options = new ImageFieldOptions { Storage = storage };
        configure?.Invoke(options);
        return property.IsImageField(options);
    }

    /// <summary>Makes the property an image field configured by <paramref name="options"/>.</summary>
    /// <param name="property">The <see cref="StoredFile"/> property.</param>
    /// <param name="options">Storage, upload-to, width/height properties, limits and variants; copied, so later changes have no effect.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names each.</exception>
    public static PropertyBuilder<StoredFile> IsImageField(this PropertyBuilder<StoredFile> property, ImageFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(property);
        ArgumentNullException.ThrowIfNull(options);
        var processor = new ImageProcessor(options.Image, new Dictionary<string, ImageVariant>(options.Variants, StringComparer.Ordinal));
        var handler = new ImageFieldHandler(processor, options.WidthProperty, options.HeightProperty, options.AcceptOtherFiles);
        return property.IsFileField(new FileFieldOptions
        {
            Storage = options.Storage,
            UploadTo = options.UploadTo,
            MaxLength = options.MaxLength,
            DeleteOldFiles = options.DeleteOldFiles,
            Handler = handler,
        });
    }
}
