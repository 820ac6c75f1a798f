namespace Coffer.Images;

/// <summary>How a variant fills its box.</summary>
public enum ResizeMode
{
    /// <summary>The whole image fits in the box, keeping its proportions; never enlarged.</summary>
    Fit,

    /// <summary>The image covers the box exactly, keeping its proportions; what sticks out is cut off evenly (a square thumbnail).</summary>
    Cover,
}

/// <summary>A derived image stored beside the original (a thumbnail, a preview), named from the original's name.</summary>
public sealed record ImageVariant
{
    /// <summary>The box's width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>The box's height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>How the image fills the box. Default: <see cref="ResizeMode.Fit"/>.</summary>
    public ResizeMode Mode { get; init; } = ResizeMode.Fit;

    /// <summary>The variant's format: JPEG, PNG or WebP (GIF cannot be written). Default: WebP.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Webp;

    /// <summary>The encoder quality, 1–100, for JPEG and WebP (ignored for PNG, which is lossless). Default: 80.</summary>
    public int Quality { get; init; } = 80;

    /// <summary>A square thumbnail: <paramref name="size"/> × <paramref name="size"/>, covered, WebP.</summary>
    public static ImageVariant Thumbnail(int size = 256) => new() { Width = size, Height = size, Mode = ResizeMode.Cover, Format = ImageFormat.Webp };

    /// <summary>A preview that fits in <paramref name="size"/> × <paramref name="size"/>, JPEG at quality 85.</summary>
    public static ImageVariant Preview(int size = 1280) => new() { Width = size, Height = size, Mode = ResizeMode.Fit, Format = ImageFormat.Jpeg, Quality = 85 };

    internal IEnumerable<string> Problems(string key)
    {
        if (Width < 1 || Height < 1 || Width > ImageOptions.DefaultMaxSide || Height > ImageOptions.DefaultMaxSide)
        {
            yield return $"Variants[\"{key}\"]: the box must be between 1 and {ImageOptions.DefaultMaxSide} pixels on each side, but is {Width} × {Height}.";
        }

        if (Format == ImageFormat.Gif)
        {
            yield return $"Variants[\"{key}\"].Format: GIF cannot be written; use WebP, JPEG or PNG.";
        }

        if (Quality is < 1 or > 100)
        {
            yield return $"Variants[\"{key}\"].Quality: must be between 1 and 100, but is {Quality}.";
        }

        if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            yield return $"Variants[\"{key}\"]: a variant's key must be ASCII letters, digits, '-' or '_' (it becomes part of file names).";
        }
    }
}
