using System.Text;
using Coffer.Images.Tests.Infrastructure;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;

namespace Coffer.Images.Tests;

public sealed class ImageProcessorTests
{
    private static readonly ImageProcessor Processor = new(variants: new Dictionary<string, ImageVariant>
    {
        ["thumb"] = ImageVariant.Thumbnail(),
        ["preview"] = ImageVariant.Preview(),
    });

    [Theory]
    [InlineData(ImageFormat.Jpeg)]
    [InlineData(ImageFormat.Png)]
    [InlineData(ImageFormat.Webp)]
    [InlineData(ImageFormat.Gif)]
    public void Inspect_reads_the_format_and_dimensions_of_every_accepted_format(ImageFormat format)
    {
        using var image = TestImages.Encode(format, 200, 100);

        var info = Processor.Inspect(image);

        Assert.Equal(new ImageInfo(format, 200, 100, 1), info);
        Assert.Equal(0, image.Position);
    }

    [Theory]
    [InlineData(1, 200, 100)]
    [InlineData(2, 200, 100)]
    [InlineData(3, 200, 100)]
    [InlineData(4, 200, 100)]
    [InlineData(5, 100, 200)]
    [InlineData(6, 100, 200)]
    [InlineData(7, 100, 200)]
    [InlineData(8, 100, 200)]
    public void Inspect_reports_dimensions_as_shown_for_each_orientation(int orientation, int width, int height)
    {
        using var image = TestImages.JpegWithExif(orientation, withGps: false);

        var info = Processor.Inspect(image);

        Assert.Equal((width, height, orientation), (info.Width, info.Height, info.Orientation));
    }

    [Fact]
    public void A_png_header_claiming_100000_by_100000_is_refused_before_any_decode()
    {
        using var bomb = TestImages.PngHeaderClaiming(100_000, 100_000);

        var ex = Assert.Throws<InvalidFileContentException>(() => Processor.Inspect(bomb));

        Assert.Equal(FileContentProblem.ImageTooLarge, ex.Problem);
        Assert.Contains("100000 × 100000", ex.ClientMessage, StringComparison.Ordinal);
        Assert.Contains("at most 50 megapixels", ex.ClientMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_60k_by_60k_header_bomb_is_refused()
    {
        using var bomb = TestImages.PngHeaderClaiming(60_000, 60_000);

        Assert.Equal(FileContentProblem.ImageTooLarge, Assert.Throws<InvalidFileContentException>(() => Processor.Inspect(bomb)).Problem);
    }

    [Fact]
    public void A_strip_within_the_pixel_limit_but_with_an_absurd_side_is_refused()
    {
        using var strip = TestImages.PngHeaderClaiming(40_000, 2);

        var ex = Assert.Throws<InvalidFileContentException>(() => Processor.Inspect(strip));

        Assert.Equal(FileContentProblem.ImageTooLarge, ex.Problem);
        Assert.Contains("20000 pixels on a side", ex.ClientMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_jpeg_passes_the_header_check_but_is_refused_by_the_decode()
    {
        using var whole = TestImages.Encode(ImageFormat.Jpeg, 400, 300);
        using var truncated = TestImages.Truncated(whole);

        var info = Processor.Inspect(truncated);
        var ex = Assert.Throws<InvalidFileContentException>(() => Processor.Decode(truncated, info));

        Assert.Equal(FileContentProblem.NotAnImage, ex.Problem);
        Assert.Contains("truncated", ex.ClientMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_jpeg_is_refused_even_by_a_field_without_variants()
    {
        using var whole = TestImages.Encode(ImageFormat.Jpeg, 400, 300);
        using var truncated = TestImages.Truncated(whole);
        var processor = new ImageProcessor();

        var info = processor.Inspect(truncated);

        Assert.Throws<InvalidFileContentException>(() => processor.Decode(truncated, info));
    }

    [Fact]
    public void A_text_file_is_not_an_image()
    {
        using var text = TestImages.Text("just some notes, named notes.png by someone");

        var ex = Assert.Throws<InvalidFileContentException>(() => Processor.Inspect(text));

        Assert.Equal(FileContentProblem.NotAnImage, ex.Problem);
        Assert.Contains("not an image", ex.ClientMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_svg_is_refused_as_not_a_raster_image()
    {
        using var svg = TestImages.Svg();

        var ex = Assert.Throws<InvalidFileContentException>(() => Processor.Inspect(svg));

        Assert.Contains("SVG", ex.ClientMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_left_out_of_the_allowed_list_is_refused_and_the_message_names_the_allowed_ones()
    {
        var processor = new ImageProcessor(new ImageOptions { AllowedFormats = new HashSet<ImageFormat> { ImageFormat.Jpeg, ImageFormat.Webp } });
        using var png = TestImages.Encode(ImageFormat.Png);

        var ex = Assert.Throws<InvalidFileContentException>(() => processor.Inspect(png));

        Assert.Equal("Images in PNG format are not accepted here; accepted: JPEG, WEBP.", ex.ClientMessage);
    }

    [Fact]
    public void Bad_options_are_refused_with_every_bad_key_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ImageProcessor(
            new ImageOptions { MaxPixels = 0, MaxSide = -1, AllowedFormats = new HashSet<ImageFormat>() },
            new Dictionary<string, ImageVariant> { ["bad key"] = new() { Width = 0, Height = 10, Quality = 101, Format = ImageFormat.Gif } }));

        foreach (var key in new[] { "ImageOptions.AllowedFormats", "ImageOptions.MaxPixels", "ImageOptions.MaxSide", "Variants[\"bad key\"]: the box", "Variants[\"bad key\"].Format", "Variants[\"bad key\"].Quality", "a variant's key" })
        {
            Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Stripping_removes_the_gps_position_and_keeps_the_orientation()
    {
        using var photo = TestImages.JpegWithExif(orientation: 6, withGps: true);
        Assert.NotEmpty(GpsDirectories(photo)); // the fixture really has a position to remove
        var info = Processor.Inspect(photo);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(photo, info, stripped);

        Assert.Empty(GpsDirectories(stripped));
        var ifd0 = ImageMetadataReader.ReadMetadata(Rewound(stripped)).OfType<ExifIfd0Directory>().Single();
        Assert.Equal(6, ifd0.GetInt32(ExifDirectoryBase.TagOrientation));
        Assert.Equal(info, Processor.Inspect(Rewound(stripped)));
    }

    [Fact]
    public void Stripping_a_png_removes_the_gps_position_of_its_exif_chunk()
    {
        using var png = TestImages.PngWithExif(orientation: 1);
        Assert.NotEmpty(GpsDirectories(png)); // the fixture really has a position to remove
        var info = Processor.Inspect(png);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(png, info, stripped);

        Assert.Empty(GpsDirectories(stripped));
        Assert.Equal(info, Processor.Inspect(Rewound(stripped)));
    }

    [Fact]
    public void Stripping_a_webp_removes_the_gps_position_of_its_exif_chunk_and_keeps_its_orientation()
    {
        using var webp = TestImages.WebpWithExif(orientation: 6);
        Assert.NotEmpty(GpsDirectories(webp)); // the fixture really has a position to remove
        var info = Processor.Inspect(webp);
        Assert.Equal((ImageFormat.Webp, 6, 80, 120), (info.Format, info.Orientation, info.Width, info.Height));
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(webp, info, stripped);

        Assert.Empty(GpsDirectories(stripped));
        Assert.Equal(info, Processor.Inspect(Rewound(stripped)));
        using var decoded = Processor.Decode(Rewound(stripped), info);
    }

    [Fact]
    public void Stripping_a_gif_removes_its_xmp_packet_and_comment_and_keeps_the_image()
    {
        using var gif = TestImages.GifWithXmp();
        Assert.Contains("Paris", TestImages.XmpAndComments(gif), StringComparison.Ordinal); // the fixture really has a place to remove
        var info = Processor.Inspect(gif);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(gif, info, stripped);

        Assert.DoesNotContain("Paris", TestImages.XmpAndComments(Rewound(stripped)), StringComparison.Ordinal);
        Assert.DoesNotContain("GPS", Encoding.ASCII.GetString(stripped.ToArray()), StringComparison.Ordinal);
        using var plain = TestImages.Encode(ImageFormat.Gif, 60, 40);
        Assert.Equal(plain.ToArray(), stripped.ToArray()); // exactly the GIF before the XMP and the comment were added
    }

    [Fact]
    public void Stripping_a_gif_keeps_its_looping_extension()
    {
        using var plain = TestImages.Encode(ImageFormat.Gif, 60, 40);
        var bytes = plain.ToArray();
        byte[] netscape = [0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0];
        using var looping = new MemoryStream([.. bytes[..19], .. netscape, .. bytes[19..]]);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(looping, Processor.Inspect(looping), stripped);

        Assert.Equal(looping.ToArray(), stripped.ToArray());
    }

    [Fact]
    public void Stripping_a_jpeg_keeps_its_image_data_byte_for_byte()
    {
        using var plain = TestImages.Encode(ImageFormat.Jpeg, 300, 200);
        using var photo = TestImages.JpegWithExif(orientation: 1, withGps: true, 300, 200);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(photo, Processor.Inspect(photo), stripped);

        // Without an orientation to keep, what is left is exactly the JPEG before the EXIF segment was added.
        Assert.Equal(plain.ToArray(), stripped.ToArray());
    }

    [Theory]
    [InlineData(ImageFormat.Png)]
    [InlineData(ImageFormat.Webp)]
    [InlineData(ImageFormat.Gif)]
    public void Stripping_other_formats_leaves_an_image_with_the_same_dimensions(ImageFormat format)
    {
        using var image = TestImages.Encode(format, 120, 80);
        var info = Processor.Inspect(image);
        using var stripped = new MemoryStream();

        ImageProcessor.StripMetadata(image, info, stripped);

        Assert.Equal(info, Processor.Inspect(Rewound(stripped)));
        using var decoded = Processor.Decode(Rewound(stripped), info);
    }

    [Theory]
    [InlineData(1, 0.25, 0.5, true)]   // stored as is: red on the left
    [InlineData(6, 0.5, 0.25, true)]   // turned clockwise: the stored left side is the top
    [InlineData(8, 0.5, 0.75, true)]   // turned counter-clockwise: the stored left side is the bottom
    [InlineData(3, 0.75, 0.5, true)]   // upside down: the stored left side is the right
    [InlineData(2, 0.75, 0.5, true)]   // mirrored: the stored left side is the right
    public void Variants_show_the_image_the_right_way_up(int orientation, double x, double y, bool red)
    {
        using var photo = TestImages.JpegWithExif(orientation, withGps: false, 400, 200);
        var info = Processor.Inspect(photo);
        using var decoded = Processor.Decode(photo, info);
        using var preview = new MemoryStream();

        decoded.Render(ImageVariant.Preview(), preview);

        Assert.Equal(red, TestImages.IsReddish(TestImages.PixelAt(preview, x, y)));
        Assert.Equal(info.Orientation >= 5 ? (200, 400) : (400, 200), Size(preview));
    }

    [Fact]
    public void A_cover_thumbnail_is_exactly_the_box_and_a_fit_preview_keeps_the_proportions()
    {
        using var image = TestImages.Encode(ImageFormat.Jpeg, 3000, 2000);
        var info = Processor.Inspect(image);
        using var decoded = Processor.Decode(image, info);
        using var thumb = new MemoryStream();
        using var preview = new MemoryStream();

        decoded.Render(Processor.Variants["thumb"], thumb);
        decoded.Render(Processor.Variants["preview"], preview);

        Assert.Equal((256, 256), Size(thumb));
        Assert.Equal((1280, 853), Size(preview));
        Assert.True(decoded.Width < 3000, $"JPEG is decoded at a reduced scale when the variants need less, but was {decoded.Width} wide");
    }

    [Fact]
    public void A_variant_never_enlarges_a_small_image()
    {
        using var image = TestImages.Encode(ImageFormat.Png, 100, 50);
        var info = Processor.Inspect(image);
        using var decoded = Processor.Decode(image, info);
        using var preview = new MemoryStream();

        decoded.Render(Processor.Variants["preview"], preview);

        Assert.Equal((100, 50), Size(preview));
    }

    private static MemoryStream Rewound(MemoryStream stream)
    {
        stream.Position = 0;
        return stream;
    }

    private static (int, int) Size(MemoryStream image)
    {
        var info = new ImageProcessor().Inspect(Rewound(image));
        return (info.Width, info.Height);
    }

    private static List<GpsDirectory> GpsDirectories(MemoryStream image)
    {
        var gps = ImageMetadataReader.ReadMetadata(Rewound(image)).OfType<GpsDirectory>().ToList();
        image.Position = 0;
        return gps;
    }
}
