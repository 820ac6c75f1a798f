using Coffer.Images.Internal;
using SkiaSharp;

namespace Coffer.Images;

/// <summary>
/// Checks images, strips their metadata and renders their variants, on SkiaSharp. The work an image field does on
/// save, usable on its own (an upload endpoint, a console app). Thread-safe: it holds only its options.
/// </summary>
public sealed class ImageProcessor
{
    private static readonly IReadOnlyDictionary<string, ImageVariant> NoVariants = new Dictionary<string, ImageVariant>();

    /// <summary>Creates a processor.</summary>
    /// <param name="options">What is accepted; <see langword="null"/> for the defaults.</param>
    /// <param name="variants">The variants to render, by key; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An option or a variant is out of range; the message names each.</exception>
    public ImageProcessor(ImageOptions? options = null, IReadOnlyDictionary<string, ImageVariant>? variants = null)
    {
        Options = options ?? new ImageOptions();
        Variants = variants ?? NoVariants;
        var problems = Variants.SelectMany(v => v.Value.Problems(v.Key)).ToList();
        try
        {
            Options.Validate();
        }
        catch (ArgumentException ex)
        {
            problems.Insert(0, ex.Message);
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }
    }

    /// <summary>What is accepted.</summary>
    public ImageOptions Options { get; }

    /// <summary>The variants rendered by <see cref="Decode"/>'s result, by key.</summary>
    public IReadOnlyDictionary<string, ImageVariant> Variants { get; }

    /// <summary>
    /// Reads the image's header, and only its header, and refuses what is not an accepted image: not an image at all (a
    /// text file, an SVG), a format not in <see cref="ImageOptions.AllowedFormats"/>, more than
    /// <see cref="ImageOptions.MaxPixels"/> pixels or a side longer than <see cref="ImageOptions.MaxSide"/>.
    /// </summary>
    /// <param name="content">The image, seekable; read from its current position, which is restored.</param>
    /// <returns>The real format and the dimensions as shown (orientation applied).</returns>
    /// <exception cref="InvalidFileContentException">The content is refused; <see cref="InvalidFileContentException.ClientMessage"/> says why.</exception>
    public ImageInfo Inspect(Stream content)
    {
        using var codec = ImageCodec.Open(content, out long start);
        try
        {
            return ImageCodec.ReadHeader(codec, Options);
        }
        finally
        {
            content.Position = start;
        }
    }

    /// <summary>
    /// Looking at the start of a file read so far (seekable, position restored): whether the rest is worth reading.
    /// <see langword="false"/> when it is no image, or when its header is already refused by <see cref="Inspect"/> (too
    /// many pixels, a side too long, a format not accepted): <see cref="Inspect"/> on what was read then refuses it with
    /// the message the whole file would get. <see langword="null"/> while a JPEG's header is still to come.
    /// </summary>
    internal bool? WantsRest(Stream head)
    {
        switch (ImageCodec.ReadHead(head))
        {
            case FileHead.NoImage:
                return false;
            case FileHead.Pending:
                return null;
            case FileHead.Unknown:
                return true;
        }

        try
        {
            Inspect(head);
            return true;
        }
        catch (InvalidFileContentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Decodes the whole image (a truncated or corrupt file is refused here) at the smallest scale the variants need, with
    /// its orientation applied, ready to render variants from.
    /// </summary>
    /// <param name="content">The image, seekable; read from its current position, which is restored.</param>
    /// <param name="info">What <see cref="Inspect"/> returned for it.</param>
    /// <returns>The decoded image; dispose it.</returns>
    /// <exception cref="InvalidFileContentException">The image cannot be decoded in full.</exception>
    public DecodedImage Decode(Stream content, ImageInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        using var codec = ImageCodec.Open(content, out long start);
        try
        {
            return new DecodedImage(ImageCodec.Decode(codec, info, Variants.Values));
        }
        finally
        {
            content.Position = start;
        }
    }

    /// <summary>
    /// Copies the image to <paramref name="output"/> without its EXIF and XMP metadata (GPS position among them), keeping
    /// only its orientation; pixels are not touched (see <see cref="ImageOptions.StripMetadata"/>).
    /// </summary>
    /// <param name="content">The image, seekable; read from its current position, which is restored.</param>
    /// <param name="info">What <see cref="Inspect"/> returned for it.</param>
    /// <param name="output">Where the stripped image goes; written from its current position.</param>
    /// <exception cref="InvalidFileContentException">The file's structure is broken.</exception>
    public static void StripMetadata(Stream content, ImageInfo info, Stream output)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(output);
        long start = content.Position;
        try
        {
            MetadataStripper.Strip(content, info, output);
        }
        finally
        {
            content.Position = start;
        }
    }
}

/// <summary>A decoded image with its orientation applied; renders variants. Not thread-safe.</summary>
public sealed class DecodedImage : IDisposable
{
    private readonly SKBitmap _bitmap;

    internal DecodedImage(SKBitmap bitmap) => _bitmap = bitmap;

    /// <summary>The decoded width, which may be a fraction of the image's when the variants need no more.</summary>
    public int Width => _bitmap.Width;

    /// <summary>The decoded height.</summary>
    public int Height => _bitmap.Height;

    /// <summary>Renders <paramref name="variant"/> into <paramref name="output"/>.</summary>
    /// <param name="variant">The box, mode, format and quality.</param>
    /// <param name="output">Where the encoded variant goes.</param>
    public void Render(ImageVariant variant, Stream output)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(output);
        ImageCodec.Render(_bitmap, variant, output);
    }

    /// <inheritdoc />
    public void Dispose() => _bitmap.Dispose();
}
