namespace Coffer.Images;

/// <summary>What the header of an accepted image says.</summary>
/// <param name="Format">The real format, whatever the file's name or declared type said.</param>
/// <param name="Width">The width as the image is shown: with its EXIF orientation applied (a portrait photo taken with the camera on its side is taller than wide).</param>
/// <param name="Height">The height as the image is shown.</param>
/// <param name="Orientation">The EXIF orientation, 1 (as stored) to 8.</param>
public sealed record ImageInfo(ImageFormat Format, int Width, int Height, int Orientation)
{
    /// <summary>The usual extension of <see cref="Format"/>, with its dot (<c>.jpg</c>).</summary>
    public string Extension => ImageFormats.Extension(Format);

    /// <summary>The content type of <see cref="Format"/> (<c>image/jpeg</c>).</summary>
    public string ContentType => ImageFormats.ContentType(Format);
}

/// <summary>Extensions and content types of the image formats.</summary>
public static class ImageFormats
{
    /// <summary>The usual extension of <paramref name="format"/>, with its dot.</summary>
    public static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Png => ".png",
        ImageFormat.Webp => ".webp",
        ImageFormat.Gif => ".gif",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The content type of <paramref name="format"/>.</summary>
    public static string ContentType(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "image/jpeg",
        ImageFormat.Png => "image/png",
        ImageFormat.Webp => "image/webp",
        ImageFormat.Gif => "image/gif",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Whether <paramref name="extension"/> (with its dot, any case) is one used for <paramref name="format"/>.</summary>
    public static bool IsExtensionOf(string extension, ImageFormat format) => extension.ToUpperInvariant() switch
    {
        ".JPG" or ".JPEG" or ".JPE" or ".JFIF" => format == ImageFormat.Jpeg,
        ".PNG" => format == ImageFormat.Png,
        ".WEBP" => format == ImageFormat.Webp,
        ".GIF" => format == ImageFormat.Gif,
        _ => false,
    };
}
