using SkiaSharp;

namespace Coffer.Images.Internal;

/// <summary>The SkiaSharp side of <see cref="ImageProcessor"/>: header, decode, orientation, resize, encode.</summary>
internal static class ImageCodec
{
    public static SKCodec Open(Stream content, out long start)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("The image must be in a seekable stream (the header is read, then the whole image).", nameof(content));
        }

        start = content.Position;
        // Our stream stays ours: the codec owns only the wrapper.
        var codec = SKCodec.Create(new SKManagedStream(content, disposeManagedStream: false), out var result);
        return codec ?? throw Refused(FileContentProblem.NotAnImage, result == SKCodecResult.IncompleteInput
            ? "The file is not a complete image: it ends before its header does."
            : "The file is not an image that can be read (JPEG, PNG, WebP or GIF); vector images such as SVG are not accepted.");
    }

    /// <summary>Whether the content's header is one of an image codec knows (any format, allowed or not); the position is restored.</summary>
    public static bool IsImage(Stream content)
    {
        long start = content.Position;
        using var codec = SKCodec.Create(new SKManagedStream(content, disposeManagedStream: false));
        content.Position = start;
        return codec is not null;
    }

    /// <summary>
    /// What the start of a file (all of it read so far) says: no image (no codec reads a header from it and it is no
    /// JPEG), a header a codec reads, a JPEG whose header is still to come (its frame header may follow several 64 KB
    /// segments: EXIF, maker data), or nothing certain (a header cut short, a JPEG whose segments do not parse): then only
    /// the whole file decides. Every format but JPEG has its header first. The position is restored.
    /// </summary>
    public static FileHead ReadHead(Stream head)
    {
        long start = head.Position;
        try
        {
            Span<byte> soi = stackalloc byte[3];
            bool jpeg = head.ReadAtLeast(soi, 3, throwOnEndOfStream: false) == 3 && soi is [0xFF, 0xD8, 0xFF];
            if (jpeg)
            {
                // The codec says "no image" for a JPEG cut before its header, not "incomplete": it is asked only once the
                // segments up to the first scan, where every header a decoder reads ends, are all there.
                var segments = JpegSegmentsToScan(head, start);
                if (segments != FileHead.Header)
                {
                    return segments;
                }
            }

            head.Position = start;
            using var codec = SKCodec.Create(new SKManagedStream(head, disposeManagedStream: false), out var result);
            return codec is not null ? FileHead.Header
                : jpeg || result == SKCodecResult.IncompleteInput ? FileHead.Unknown
                : FileHead.NoImage;
        }
        finally
        {
            head.Position = start;
        }
    }

    /// <summary>How much of a JPEG is walked for its first scan before the whole file is read instead.</summary>
    public const int JpegHeaderSearchLimit = 1 << 20;

    /// <summary>
    /// Walks a JPEG's marker segments by their lengths (nothing is buffered) to the start of its first scan (SOS):
    /// <see cref="FileHead.Header"/> when it is in what was read, <see cref="FileHead.Pending"/> when the bytes end in a
    /// segment before it (<see cref="FileHead.Unknown"/> once <see cref="JpegHeaderSearchLimit"/> bytes were read),
    /// <see cref="FileHead.Unknown"/> when the segments do not parse.
    /// </summary>
    private static FileHead JpegSegmentsToScan(Stream head, long start)
    {
        long end = head.Length;
        long position = start + 2; // after SOI
        Span<byte> marker = stackalloc byte[4];
        while (true)
        {
            head.Position = position;
            int read = head.ReadAtLeast(marker, 4, throwOnEndOfStream: false);
            if (read < 2)
            {
                return end >= JpegHeaderSearchLimit ? FileHead.Unknown : FileHead.Pending;
            }

            if (marker[0] != 0xFF)
            {
                return FileHead.Unknown;
            }

            switch (marker[1])
            {
                case 0xFF: // fill byte before a marker
                    position++;
                    continue;
                case 0xDA: // SOS
                    return FileHead.Header;
                case 0x01 or (>= 0xD0 and <= 0xD7): // TEM, RSTn: no length
                    position += 2;
                    continue;
                case 0xD8 or 0xD9: // another SOI, or EOI before any scan
                    return FileHead.Unknown;
            }

            if (read < 4)
            {
                return end >= JpegHeaderSearchLimit ? FileHead.Unknown : FileHead.Pending;
            }

            int length = (marker[2] << 8) | marker[3];
            if (length < 2)
            {
                return FileHead.Unknown;
            }

            position += 2 + length;
            if (position > end)
            {
                // Walked again after each read: past the bound (more metadata than cameras write), the rest is read whole
                // once instead of walking a file of tiny segments over and over.
                return end >= JpegHeaderSearchLimit ? FileHead.Unknown : FileHead.Pending;
            }
        }
    }

    public static ImageInfo ReadHeader(SKCodec codec, ImageOptions options)
    {
        var format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => ImageFormat.Jpeg,
            SKEncodedImageFormat.Png => ImageFormat.Png,
            SKEncodedImageFormat.Webp => ImageFormat.Webp,
            SKEncodedImageFormat.Gif => ImageFormat.Gif,
            _ => (ImageFormat?)null,
        };
        if (format is not { } known || !options.AllowedFormats.Contains(known))
        {
            throw Refused(FileContentProblem.NotAnImage,
                $"Images in {codec.EncodedFormat.ToString().ToUpperInvariant()} format are not accepted here; accepted: {string.Join(", ", options.AllowedFormats.Order().Select(f => f.ToString().ToUpperInvariant()))}.");
        }

        var size = codec.Info;
        if (size.Width <= 0 || size.Height <= 0)
        {
            throw Refused(FileContentProblem.NotAnImage, "The image has no pixels.");
        }

        long pixels = (long)size.Width * size.Height;
        if (pixels > options.MaxPixels || size.Width > options.MaxSide || size.Height > options.MaxSide)
        {
            throw Refused(FileContentProblem.ImageTooLarge,
                $"The image is {size.Width} × {size.Height} pixels ({pixels / 1_000_000.0:0.#} megapixels); images here may have at most {options.MaxPixels / 1_000_000.0:0.#} megapixels and {options.MaxSide} pixels on a side.");
        }

        int orientation = (int)codec.EncodedOrigin is >= 1 and <= 8 ? (int)codec.EncodedOrigin : 1;
        bool turned = orientation >= 5;
        return new ImageInfo(known, turned ? size.Height : size.Width, turned ? size.Width : size.Height, orientation);
    }

    public static SKBitmap Decode(SKCodec codec, ImageInfo info, IEnumerable<ImageVariant> variants)
    {
        // The smallest scale that still gives every variant all the pixels it shows; JPEG decodes at 1/2, 1/4, 1/8 for
        // a fraction of the cost. With no variant the whole file is still decoded (at the smallest scale) so a truncated
        // or corrupt image is refused.
        double scale = variants.Select(v => Needed(v, info)).DefaultIfEmpty(0).Max();
        var full = codec.Info;
        var target = full.Size;
        if (scale < 1)
        {
            // The codec rounds a scale to one it decodes natively (n/8 for JPEG): take the smallest that is large enough.
            for (int eighths = 1; eighths < 8; eighths++)
            {
                var scaled = codec.GetScaledDimensions(eighths / 8f);
                if (scaled.Width >= Math.Ceiling(full.Width * scale) && scaled.Height >= Math.Ceiling(full.Height * scale))
                {
                    target = scaled;
                    break;
                }
            }
        }

        var decodeInfo = new SKImageInfo(target.Width, target.Height, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(decodeInfo);
        try
        {
            var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
            {
                throw Refused(FileContentProblem.NotAnImage, result == SKCodecResult.IncompleteInput
                    ? "The image is truncated: the file ends before its last pixels."
                    : "The image is corrupt and cannot be decoded.");
            }

            return Orient(bitmap, info.Orientation);
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    public static void Render(SKBitmap source, ImageVariant variant, Stream output)
    {
        var (srcRect, width, height) = Layout(source.Width, source.Height, variant);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        using var target = new SKBitmap(info);
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(source))
        {
            if (variant.Format == ImageFormat.Jpeg)
            {
                canvas.Clear(SKColors.White); // JPEG has no alpha: transparent areas become white, not black
            }

            canvas.DrawImage(image, srcRect, new SKRect(0, 0, width, height), new SKSamplingOptions(SKCubicResampler.Mitchell));
        }

        using var pixmap = target.PeekPixels();
        bool ok = variant.Format switch
        {
            ImageFormat.Jpeg => pixmap.Encode(output, new SKJpegEncoderOptions(variant.Quality)),
            ImageFormat.Webp => pixmap.Encode(output, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, variant.Quality)),
            ImageFormat.Png => pixmap.Encode(output, SKPngEncoderOptions.Default),
            _ => false,
        };
        if (!ok)
        {
            throw new InvalidOperationException($"SkiaSharp could not encode a {variant.Format} variant of {width} × {height} pixels.");
        }
    }

    public static InvalidFileContentException Refused(FileContentProblem problem, string message) => new(problem, message);

    /// <summary>The fraction of the (oriented) image a variant needs: it is drawn at this scale, never enlarged.</summary>
    private static double Needed(ImageVariant variant, ImageInfo info)
    {
        double sx = (double)variant.Width / info.Width, sy = (double)variant.Height / info.Height;
        return Math.Min(1, variant.Mode == ResizeMode.Cover ? Math.Max(sx, sy) : Math.Min(sx, sy));
    }

    private static (SKRect Source, int Width, int Height) Layout(int width, int height, ImageVariant variant)
    {
        double sx = (double)variant.Width / width, sy = (double)variant.Height / height;
        if (variant.Mode == ResizeMode.Fit)
        {
            double s = Math.Min(1, Math.Min(sx, sy));
            return (new SKRect(0, 0, width, height), Math.Max(1, (int)Math.Round(width * s)), Math.Max(1, (int)Math.Round(height * s)));
        }

        // Cover: the box (shrunk to the image if the image is smaller), cut from the middle of the image.
        double scale = Math.Min(1, Math.Max(sx, sy));
        int w = Math.Min(variant.Width, Math.Max(1, (int)Math.Round(width * scale)));
        int h = Math.Min(variant.Height, Math.Max(1, (int)Math.Round(height * scale)));
        float cropW = (float)(w / scale), cropH = (float)(h / scale);
        float left = (width - cropW) / 2, top = (height - cropH) / 2;
        return (new SKRect(left, top, left + cropW, top + cropH), w, h);
    }

    /// <summary>Applies an EXIF orientation (2–8) to decoded pixels, so that variants show the image the right way up.</summary>
    private static SKBitmap Orient(SKBitmap source, int orientation)
    {
        if (orientation <= 1)
        {
            return source;
        }

        float w = source.Width, h = source.Height;
        bool turned = orientation >= 5;
        // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY: the EXIF transforms, one per value.
        var matrix = orientation switch
        {
            2 => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            3 => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            4 => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            5 => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            6 => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            7 => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            _ => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        };
        var oriented = new SKBitmap(new SKImageInfo(turned ? source.Height : source.Width, turned ? source.Width : source.Height, source.ColorType, source.AlphaType, source.ColorSpace));
        using (source)
        using (var canvas = new SKCanvas(oriented))
        {
            canvas.SetMatrix(matrix);
            canvas.DrawBitmap(source, 0, 0, SKSamplingOptions.Default); // whole pixels onto whole pixels: nothing to filter
        }

        return oriented;
    }
}

/// <summary>What the start of a file says about it (<see cref="ImageCodec.ReadHead"/>).</summary>
internal enum FileHead
{
    /// <summary>No image: no codec reads a header from it.</summary>
    NoImage,

    /// <summary>A header a codec reads: format and dimensions are known.</summary>
    Header,

    /// <summary>A JPEG whose header is past what was read: read on.</summary>
    Pending,

    /// <summary>Nothing certain from the start alone: the whole file decides.</summary>
    Unknown,
}
