using System.Buffers.Binary;
using System.Text;
using SkiaSharp;
using Xunit;

namespace Coffer.Images.Tests.Infrastructure;

/// <summary>
/// Images made by the tests, never downloaded: encoded by SkiaSharp, with EXIF segments written here byte by byte.
/// A test image is two-coloured: its left half red and its right half blue, as stored, so that where the red ends up
/// shows how an orientation was applied.
/// </summary>
public static partial class TestImages
{
    public static readonly SKColor Left = SKColors.Red;
    public static readonly SKColor Right = SKColors.Blue;

    public static MemoryStream Encode(ImageFormat format, int width = 200, int height = 100, int quality = 90)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var left = new SKPaint { Color = Left };
            using var right = new SKPaint { Color = Right };
            canvas.DrawRect(0, 0, width / 2f, height, left);
            canvas.DrawRect(width / 2f, 0, width - (width / 2f), height, right);
        }

        var output = new MemoryStream();
        using var pixmap = bitmap.PeekPixels();
        bool ok = format switch
        {
            ImageFormat.Jpeg => pixmap.Encode(output, new SKJpegEncoderOptions(quality)),
            ImageFormat.Png => pixmap.Encode(output, SKPngEncoderOptions.Default),
            ImageFormat.Webp => pixmap.Encode(output, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)),
            ImageFormat.Gif => WriteGif(output, width, height),
            _ => false,
        };
        Assert.True(ok, $"SkiaSharp could not encode the {format} fixture");
        output.Position = 0;
        return output;
    }

    /// <summary>A JPEG with an EXIF APP1 segment (right after SOI) holding the orientation and, optionally, a GPS position.</summary>
    public static MemoryStream JpegWithExif(int orientation, bool withGps, int width = 200, int height = 100)
    {
        using var jpeg = Encode(ImageFormat.Jpeg, width, height);
        var bytes = jpeg.ToArray();
        var exif = ExifSegment(orientation, withGps);
        var output = new MemoryStream();
        output.Write(bytes, 0, 2); // SOI
        output.Write(exif);
        output.Write(bytes, 2, bytes.Length - 2);
        output.Position = 0;
        return output;
    }

    /// <summary>
    /// APP1 "Exif\0\0" + a little-endian TIFF: IFD0 with Orientation (0x0112) and a GPS IFD pointer (0x8825); the GPS IFD
    /// holds GPSLatitudeRef 'N' and GPSLatitude 48° 51' 29" (Paris).
    /// </summary>
    public static byte[] ExifSegment(int orientation, bool withGps)
    {
        var tiff = new List<byte>();
        void U16(int v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); tiff.AddRange(b.ToArray()); }
        void U32(long v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); tiff.AddRange(b.ToArray()); }

        tiff.AddRange("II"u8.ToArray());
        U16(42);
        U32(8);
        int entries = withGps ? 2 : 1;
        U16(entries);
        U16(0x0112); U16(3); U32(1); U16(orientation); U16(0);
        int gpsIfd = 8 + 2 + (12 * entries) + 4;
        if (withGps)
        {
            U16(0x8825); U16(4); U32(1); U32(gpsIfd);
        }

        U32(0); // no next IFD
        if (withGps)
        {
            int rationals = gpsIfd + 2 + (12 * 2) + 4;
            U16(2);
            U16(0x0001); U16(2); U32(2); tiff.AddRange("N\0\0\0"u8.ToArray());
            U16(0x0002); U16(5); U32(3); U32(rationals);
            U32(0);
            U32(48); U32(1); U32(51); U32(1); U32(29); U32(1);
        }

        var segment = new List<byte> { 0xFF, 0xE1, 0, 0 };
        segment.AddRange(Encoding.ASCII.GetBytes("Exif\0\0"));
        segment.AddRange(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(segment)[2..], (ushort)(segment.Count - 2));
        return segment.ToArray();
    }

    /// <summary>Decodes an image as stored (no orientation applied) and reads one pixel, as a fraction of width and height.</summary>
    public static SKColor PixelAt(Stream image, double x, double y)
    {
        // SKBitmap.Decode(Stream) closes the stream: decode a copy.
        using var copy = new MemoryStream();
        image.Position = 0;
        image.CopyTo(copy);
        image.Position = 0;
        using var bitmap = SKBitmap.Decode(copy.ToArray());
        Assert.NotNull(bitmap);
        return bitmap.GetPixel((int)(bitmap.Width * x), (int)(bitmap.Height * y));
    }

    public static bool IsReddish(SKColor c) => c.Red > 180 && c.Blue < 90;

    public static bool IsBluish(SKColor c) => c.Blue > 180 && c.Red < 90;

    private static bool WriteGif(Stream output, int width, int height)
    {
        // SkiaSharp cannot write GIF: a minimal GIF89a written by hand, one colour (red), uncompressed-equivalent LZW.
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x80, 0, 0]);
        gif.AddRange([0xFF, 0, 0, 0, 0, 0xFF]); // palette: red, blue
        gif.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        // LZW, min code size 2: a clear code before every pixel keeps codes at 3 bits.
        gif.Add(2);
        var bits = new List<bool>();
        void Code(int code) { for (int i = 0; i < 3; i++) { bits.Add(((code >> i) & 1) == 1); } }
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Code(4);
                Code(x < width / 2 ? 0 : 1);
            }
        }

        Code(5);
        var data = new List<byte>();
        for (int i = 0; i < bits.Count; i += 8)
        {
            byte b = 0;
            for (int j = 0; j < 8 && i + j < bits.Count; j++)
            {
                if (bits[i + j]) { b |= (byte)(1 << j); }
            }

            data.Add(b);
        }

        for (int i = 0; i < data.Count; i += 255)
        {
            int n = Math.Min(255, data.Count - i);
            gif.Add((byte)n);
            gif.AddRange(data.GetRange(i, n));
        }

        gif.Add(0);
        gif.Add(0x3B);
        output.Write(gif.ToArray());
        return true;
    }
}
