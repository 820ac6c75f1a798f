using System.Buffers.Binary;
using System.Text;

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
}
