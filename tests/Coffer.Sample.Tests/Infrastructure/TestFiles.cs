using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>Contents to upload, made here (nothing is fetched).</summary>
public static class TestFiles
{
    /// <summary><paramref name="length"/> random bytes.</summary>
    public static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Writes <paramref name="size"/> pseudo-random bytes to <paramref name="path"/> a mebibyte at a time, so that a file
    /// of gigabytes never sits in memory.
    /// </summary>
    public static void WriteRandom(string path, long size, int seed = 11)
    {
        using var file = File.Create(path);
        var chunk = new byte[1024 * 1024];
        var random = new Random(seed);
        for (long written = 0; written < size; written += chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
    }

    /// <summary>The SHA-256 of a file, read as a stream.</summary>
    public static byte[] Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return System.Security.Cryptography.SHA256.HashData(file);
    }

    /// <summary>A text file whose content names itself, so a mix-up shows in a failure message.</summary>
    public static byte[] Text(string label) => Encoding.UTF8.GetBytes($"Coffer test file {label} {Guid.NewGuid():N}\n");

    /// <summary>A real PNG: a diagonal gradient between two colours, <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static byte[] Png(int width, int height, (byte R, byte G, byte B) from, (byte R, byte G, byte B) to)
    {
        using var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (int x = 0; x < width; x++)
            {
                double t = (double)(x + y) / (width + height - 2);
                raw.WriteByte((byte)(from.R + ((to.R - from.R) * t)));
                raw.WriteByte((byte)(from.G + ((to.G - from.G) * t)));
                raw.WriteByte((byte)(from.B + ((to.B - from.B) * t)));
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(zlib);
        }

        byte[] header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFF;
    }
}
