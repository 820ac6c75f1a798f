namespace Coffer.Images;

/// <summary>An image format Coffer.Images reads.</summary>
public enum ImageFormat
{
    /// <summary>JPEG (<c>.jpg</c>, <c>image/jpeg</c>).</summary>
    Jpeg,

    /// <summary>PNG (<c>.png</c>, <c>image/png</c>).</summary>
    Png,

    /// <summary>WebP (<c>.webp</c>, <c>image/webp</c>).</summary>
    Webp,

    /// <summary>GIF (<c>.gif</c>, <c>image/gif</c>); only its first frame is used for variants.</summary>
    Gif,
}

/// <summary>What an image must be to be accepted, and what is done to the original before it is stored.</summary>
public sealed class ImageOptions
{
    /// <summary>Default for <see cref="MaxPixels"/>: 50 megapixels (about 200 MB decoded at 4 bytes a pixel).</summary>
    public const long DefaultMaxPixels = 50_000_000;

    /// <summary>Default for <see cref="MaxSide"/>: 20,000 pixels.</summary>
    public const int DefaultMaxSide = 20_000;

    /// <summary>The formats accepted. Default: JPEG, PNG, WebP and GIF. An SVG or any other non-raster content is never an image here.</summary>
    public ISet<ImageFormat> AllowedFormats { get; init; } = new HashSet<ImageFormat> { ImageFormat.Jpeg, ImageFormat.Png, ImageFormat.Webp, ImageFormat.Gif };

    /// <summary>
    /// The most pixels (width × height) an image may have. Checked on the header, before anything is decoded, so a
    /// small file that claims a huge image (a decompression bomb) costs nothing. Default: 50,000,000.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>The longest side an image may have, in pixels, whatever its pixel count (a 1 × 40,000,000 strip is refused). Default: 20,000.</summary>
    public int MaxSide { get; init; } = DefaultMaxSide;

    /// <summary>
    /// Whether the original is stored without its location and other personal metadata: EXIF (GPS position, camera
    /// serial, times) and XMP are removed, and only the orientation is written back, so the image still shows the right
    /// way up. Done without re-encoding: JPEG segments, PNG chunks, WebP chunks and GIF blocks are copied, not decoded,
    /// so the pixels and the file's quality are unchanged and the cost is one copy of the file. A file that reached the
    /// store another way (a direct upload) and has metadata to remove is kept as a stripped copy under a new name.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool StripMetadata { get; init; } = true;

    /// <summary>Checks the options and names every bad one.</summary>
    /// <exception cref="ArgumentException">One or more options are out of range; the message names each.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (AllowedFormats is null || AllowedFormats.Count == 0)
        {
            errors.Add("ImageOptions.AllowedFormats: at least one format must be allowed.");
        }

        if (MaxPixels < 1)
        {
            errors.Add($"ImageOptions.MaxPixels: must be at least 1, but is {MaxPixels}.");
        }

        if (MaxSide < 1)
        {
            errors.Add($"ImageOptions.MaxSide: must be at least 1, but is {MaxSide}.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
