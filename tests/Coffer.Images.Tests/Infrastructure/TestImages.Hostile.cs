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
}
