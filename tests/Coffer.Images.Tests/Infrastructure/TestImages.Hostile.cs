using System.Buffers.Binary;
using System.Text;
using MetadataExtractor;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Xmp;

namespace Coffer.Images.Tests.Infrastructure;

/// <summary>Content that lies: header bombs, truncated files, text and vector images.</summary>
public static partial class TestImages
{
    /// <summary>A valid PNG signature and IHDR chunk claiming <paramref name="width"/> × <paramref name="height"/>, and almost no data.</summary>
    public static MemoryStream PngHeaderClaiming(int width, int height)
    {
        using var real = Encode(ImageFormat.Png, 8, 8);
        var bytes = real.ToArray();
        // IHDR data starts at 16: width, height (big-endian); its CRC follows the 13 data bytes.
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Coffer.Images.Internal.Crc32.Compute(bytes.AsSpan(12, 17), []));
        return new MemoryStream(bytes);
    }

    /// <summary>
    /// A lossless WebP whose VP8L header claims <paramref name="width"/> × <paramref name="height"/> (at most 16,384 a
    /// side), and almost no data.
    /// </summary>
    public static MemoryStream WebpHeaderClaiming(int width, int height)
    {
        using var real = Encode(ImageFormat.Webp, 8, 8);
        var bytes = real.ToArray();
        // RIFF header (12), chunk header (8), signature 0x2F, then 14 bits width - 1, 14 bits height - 1, alpha, version.
        uint bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(21));
        bits = (bits & 0xF000_0000) | (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(21), bits);
        return new MemoryStream(bytes);
    }

    /// <summary>A GIF whose screen and first image descriptor claim <paramref name="width"/> × <paramref name="height"/>, and almost no data.</summary>
    public static MemoryStream GifHeaderClaiming(int width, int height)
    {
        using var real = Encode(ImageFormat.Gif, 8, 8);
        var bytes = real.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)height);
        int colours = (bytes[10] & 0x80) != 0 ? 3 << ((bytes[10] & 7) + 1) : 0;
        int at = 13 + colours;
        while (bytes[at] == 0x21) // extensions before the image: label, then sub-blocks up to an empty one
        {
            at += 2;
            while (bytes[at] != 0)
            {
                at += bytes[at] + 1;
            }

            at++;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 5), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 7), (ushort)height);
        return new MemoryStream(bytes);
    }

    /// <summary>
    /// A JPEG whose frame header (SOF) claims <paramref name="width"/> × <paramref name="height"/>, after
    /// <paramref name="segments"/> maker segments (APP4) of <paramref name="segmentLength"/> bytes each.
    /// </summary>
    public static MemoryStream JpegHeaderClaiming(int width, int height, int segments, int segmentLength)
    {
        using var real = Encode(ImageFormat.Jpeg, 64, 48);
        var jpeg = real.ToArray();
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), (ushort)width);
        byte[] maker = [0xFF, 0xE4, (byte)(segmentLength >> 8), (byte)segmentLength, .. new byte[segmentLength - 2]];
        var bytes = new List<byte>(jpeg[..2]);
        for (int i = 0; i < segments; i++)
        {
            bytes.AddRange(maker);
        }

        bytes.AddRange(jpeg[2..]);
        return new MemoryStream([.. bytes]);
    }

    public static MemoryStream Truncated(MemoryStream image, double keep = 0.6)
    {
        var bytes = image.ToArray();
        return new MemoryStream(bytes[..(int)(bytes.Length * keep)]);
    }

    public static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    public static MemoryStream Svg() => Text("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"><rect width=\"100\" height=\"100\" fill=\"red\"/></svg>");

    /// <summary>A PNG with an eXIf chunk (right after IHDR) holding the orientation and a GPS position.</summary>
    public static MemoryStream PngWithExif(int orientation, int width = 120, int height = 80)
    {
        using var png = Encode(ImageFormat.Png, width, height);
        var bytes = png.ToArray();
        var tiff = ExifSegment(orientation, withGps: true)[10..]; // the TIFF structure, without JPEG's APP1 header
        var chunk = new byte[12 + tiff.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, tiff.Length);
        "eXIf"u8.CopyTo(chunk.AsSpan(4));
        tiff.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + tiff.Length), Coffer.Images.Internal.Crc32.Compute(chunk.AsSpan(4, 4 + tiff.Length), []));
        const int AfterIhdr = 8 + 25;
        return new MemoryStream([.. bytes[..AfterIhdr], .. chunk, .. bytes[AfterIhdr..]]);
    }

    /// <summary>
    /// An extended WebP (VP8X with the EXIF flag) whose EXIF chunk, after the image data as the format places it, holds
    /// the orientation and a GPS position.
    /// </summary>
    public static MemoryStream WebpWithExif(int orientation, int width = 120, int height = 80)
    {
        using var webp = Encode(ImageFormat.Webp, width, height);
        var image = webp.ToArray()[12..]; // the VP8L chunk, without RIFF's header
        var tiff = ExifSegment(orientation, withGps: true)[10..];
        var vp8x = new byte[18];
        "VP8X"u8.CopyTo(vp8x);
        BinaryPrimitives.WriteUInt32LittleEndian(vp8x.AsSpan(4), 10);
        vp8x[8] = 0x08 | 0x10; // EXIF, alpha (VP8L may carry it)
        WriteUInt24(vp8x.AsSpan(12), width - 1);
        WriteUInt24(vp8x.AsSpan(15), height - 1);
        var exif = new byte[8 + tiff.Length + (tiff.Length & 1)];
        "EXIF"u8.CopyTo(exif);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(4), (uint)tiff.Length);
        tiff.CopyTo(exif, 8);
        byte[] body = [.. "WEBP"u8, .. vp8x, .. image, .. exif];
        var riff = new byte[8];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)body.Length);
        return new MemoryStream([.. riff, .. body]);
    }

    /// <summary>
    /// A GIF89a with an XMP application extension ("XMP DataXMP", the packet written raw and closed by the 258-byte magic
    /// trailer, as Adobe's XMP specification lays it out) holding a GPS position and a place name, and a comment.
    /// </summary>
    public static MemoryStream GifWithXmp(int width = 60, int height = 40)
    {
        using var gif = Encode(ImageFormat.Gif, width, height);
        var bytes = gif.ToArray();
        const int AfterColourTable = 13 + 6; // header and screen descriptor, two colours
        var xmp = Encoding.UTF8.GetBytes(
            "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
            + "<rdf:Description rdf:about=\"\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" exif:GPSLatitude=\"48,51.48N\" exif:GPSLongitude=\"2,17.7E\" photoshop:City=\"Paris\"/>"
            + "</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>");
        var extension = new List<byte> { 0x21, 0xFF, 11 };
        extension.AddRange("XMP DataXMP"u8.ToArray());
        extension.AddRange(xmp);
        extension.Add(0x01);
        for (int b = 0xFF; b >= 0; b--)
        {
            extension.Add((byte)b);
        }

        extension.Add(0x00);
        byte[] comment = [0x21, 0xFE, 5, .. "Paris"u8, 0x00];
        return new MemoryStream([.. bytes[..AfterColourTable], .. extension, .. comment, .. bytes[AfterColourTable..]]);
    }

    /// <summary>Every XMP property value and GIF comment an independent reader (MetadataExtractor) finds in the image; the position is restored.</summary>
    public static string XmpAndComments(Stream image)
    {
        long start = image.Position;
        var directories = ImageMetadataReader.ReadMetadata(image);
        image.Position = start;
        var xmp = directories.OfType<XmpDirectory>().SelectMany(d => d.XmpMeta is { } meta ? meta.Properties.Select(p => p.Value) : []);
        var comments = directories.OfType<GifCommentDirectory>().Select(d => d.GetDescription(GifCommentDirectory.TagComment));
        return string.Join("|", xmp.Concat(comments));
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }
}
