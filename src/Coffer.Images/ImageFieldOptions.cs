using Coffer.EntityFrameworkCore;

namespace Coffer.Images;

/// <summary>
/// How a <see cref="StoredFile"/> property is stored as an image: Django's
/// <c>ImageField(storage=…, upload_to=…, width_field=…, height_field=…)</c>, plus what is accepted, the privacy of the
/// original, and its variants.
/// </summary>
public sealed class ImageFieldOptions
{
    /// <summary>The name of the storage the images go to (<c>"public"</c>). Required.</summary>
    public string Storage { get; set; } = "";

    /// <summary>Where uploads go inside the storage; see <see cref="FileFieldOptions.UploadTo"/>. Default: the storage's root.</summary>
    public UploadTo? UploadTo { get; set; }

    /// <summary>The column's length; see <see cref="FileFieldOptions.MaxLength"/>. Default: 100.</summary>
    public int MaxLength { get; set; } = FileFieldOptions.DefaultMaxLength;

    /// <summary>Whether old images (and their variants) are deleted after the commit; see <see cref="FileFieldOptions.DeleteOldFiles"/>.</summary>
    public bool? DeleteOldFiles { get; set; }

    /// <summary>
    /// The entity property (an <c>int</c> or <c>int?</c>) that gets the image's width as shown, on every save of new
    /// content, and is cleared (<see langword="null"/>, or 0) with the file: Django's <c>width_field</c>. Default: none.
    /// </summary>
    public string? WidthProperty { get; set; }

    /// <summary>The entity property that gets the image's height: Django's <c>height_field</c>. Default: none.</summary>
    public string? HeightProperty { get; set; }

    /// <summary>
    /// Whether content that is not an image at all (a PDF, a text file) is stored as a plain file: no dimensions
    /// (the width and height properties are cleared) and no variants. Content that claims to be an image is still
    /// checked: a truncated image, a decompression bomb or an image of a format left out of
    /// <see cref="ImageOptions.AllowedFormats"/> is refused. For a field of mixed uploads that shows thumbnails of its
    /// images. Default: <see langword="false"/> (Django's <c>ImageField</c>: only images).
    /// </summary>
    public bool AcceptOtherFiles { get; set; }

    /// <summary>What is accepted, and whether the original's metadata is stripped. Default: <see cref="ImageOptions"/>'s defaults.</summary>
    public ImageOptions Image { get; set; } = new();

    /// <summary>
    /// The variants rendered on every save of new content, by key (<c>"thumb"</c>): stored beside the original, named
    /// from its name, in the same unit of work. Default: none.
    /// </summary>
    public IDictionary<string, ImageVariant> Variants { get; } = new Dictionary<string, ImageVariant>(StringComparer.Ordinal);
}
