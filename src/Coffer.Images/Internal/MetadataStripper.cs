using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Coffer.Images.Internal;

/// <summary>
/// Removes EXIF and XMP (and the other places a camera or an editor puts personal data) from an image without
/// decoding it: JPEG segments, PNG chunks, WebP chunks and GIF extension blocks are copied or skipped, so the pixels
/// are the same bytes.
/// An orientation other than 1 is written back as a minimal EXIF block holding that one tag.
/// </summary>
internal static class MetadataStripper
{
    private static readonly byte[] ExifId = "Exif\0\0"u8.ToArray();

    public static void Strip(Stream content, ImageInfo info, Stream output)
    {
        switch (info.Format)
        {
            case ImageFormat.Jpeg:
                StripJpeg(content, info.Orientation, output);
                break;
            case ImageFormat.Png:
                StripPng(content, info.Orientation, output);
                break;
            case ImageFormat.Webp:
                StripWebp(content, info.Orientation, output);
                break;
            case ImageFormat.Gif:
                StripGif(content, output);
                break;
            default:
                content.CopyTo(output);
                break;
        }
    }

    /// <summary>A TIFF structure (big-endian) with one IFD holding only the orientation tag.</summary>
    public static byte[] OrientationOnlyTiff(int orientation)
    {
        var tiff = new byte[26];
        "MM\0\x2A"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);      // IFD0 offset
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);      // one entry
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3);      // SHORT
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1);      // count
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), (ushort)orientation);
        // bytes 20–21 pad the value; 22–25: no next IFD
        return tiff;
    }

    // ----- JPEG: markers FF xx with a 2-byte length, up to the scan (SOS), then entropy-coded data copied as it is -----

    private static void StripJpeg(Stream content, int orientation, Stream output)
    {
        Span<byte> head = stackalloc byte[4];
        ReadExactly(content, head[..2]);
        if (head[0] != 0xFF || head[1] != 0xD8)
        {
            throw Broken("JPEG");
        }

        output.Write(head[..2]);
        bool exifWritten = orientation <= 1;
        while (true)
        {
            ReadExactly(content, head[..2]);
            while (head[0] == 0xFF && head[1] == 0xFF)
            {
                // Fill bytes before a marker.
                head[1] = (byte)ReadByte(content);
            }

            if (head[0] != 0xFF)
            {
                throw Broken("JPEG");
            }

            byte marker = head[1];
            if (marker == 0xD9)
            {
                output.Write(head[..2]);
                return;
            }

            ReadExactly(content, head.Slice(2, 2));
            int length = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            if (length < 2)
            {
                throw Broken("JPEG");
            }

            if (!exifWritten && marker != 0xE0)
            {
                // After JFIF's APP0, which must come first, and before anything else.
                WriteJpegExif(output, orientation);
                exifWritten = true;
            }

            if (IsPersonal(content, marker, length - 2))
            {
                content.Seek(length - 2, SeekOrigin.Current);
                continue;
            }

            output.Write(head);
            CopyExactly(content, output, length - 2);
            if (marker == 0xDA)
            {
                // Start of scan: entropy-coded data up to the next marker (a progressive JPEG has several scans).
                CopyScan(content, output);
            }
        }
    }

    /// <summary>
    /// APP1 (EXIF, XMP), APP13 (Photoshop/IPTC: captions, places, names), APP3–APP12 (maker data) and comments go, and
    /// so does APP2's multi-picture index (its pictures sit after the end marker, which is where copying stops). JFIF,
    /// ICC colour profiles and Adobe's APP14 stay.
    /// </summary>
    private static bool IsPersonal(Stream content, byte marker, int length)
    {
        if (marker is 0xE1 or 0xED or 0xFE or (>= 0xE3 and <= 0xEC))
        {
            return true;
        }

        if (marker != 0xE2 || length < 4)
        {
            return false;
        }

        Span<byte> id = stackalloc byte[4];
        ReadExactly(content, id);
        content.Seek(-4, SeekOrigin.Current);
        return id.SequenceEqual("MPF\0"u8);
    }

    /// <summary>Copies entropy-coded data: an FF byte is followed by 00 (a stuffed FF) or a restart marker, or it starts the next segment.</summary>
    private static void CopyScan(Stream content, Stream output)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int length = 0;
            while (true)
            {
                int read = content.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    throw Truncated();
                }

                length += read;
                int start = 0;
                while (true)
                {
                    int ff = buffer.AsSpan(start, length - start).IndexOf((byte)0xFF);
                    if (ff < 0)
                    {
                        output.Write(buffer, 0, length);
                        length = 0;
                        break;
                    }

                    ff += start;
                    if (ff == length - 1)
                    {
                        // The byte after FF is in the next read: keep the FF for it.
                        output.Write(buffer, 0, ff);
                        buffer[0] = 0xFF;
                        length = 1;
                        break;
                    }

                    byte next = buffer[ff + 1];
                    if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
                    {
                        start = ff + 2;
                        continue;
                    }

                    // A marker: hand it back to the segment loop.
                    output.Write(buffer, 0, ff);
                    content.Seek(ff - length, SeekOrigin.Current);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteJpegExif(Stream output, int orientation)
    {
        var tiff = OrientationOnlyTiff(orientation);
        Span<byte> head = [0xFF, 0xE1, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)(2 + ExifId.Length + tiff.Length));
        output.Write(head);
        output.Write(ExifId);
        output.Write(tiff);
    }

    // ----- PNG: signature, then chunks of length, type, data, CRC -----

    private static void StripPng(Stream content, int orientation, Stream output)
    {
        Span<byte> signature = stackalloc byte[8];
        ReadExactly(content, signature);
        output.Write(signature);
        Span<byte> head = stackalloc byte[8];
        while (true)
        {
            if (!TryReadExactly(content, head))
            {
                return;
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(head);
            string type = Encoding.ASCII.GetString(head[4..]);
            if (length > int.MaxValue - 4)
            {
                throw Broken("PNG");
            }

            if (type is "eXIf" or "tEXt" or "zTXt" or "iTXt" or "tIME")
            {
                content.Seek(length + 4, SeekOrigin.Current);
                continue;
            }

            output.Write(head);
            CopyExactly(content, output, (int)length + 4);
            if (type == "IHDR" && orientation > 1)
            {
                WritePngChunk(output, "eXIf", OrientationOnlyTiff(orientation));
            }

            if (type == "IEND")
            {
                return;
            }
        }
    }

    private static void WritePngChunk(Stream output, string type, byte[] data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        output.Write(head);
        output.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(head[4..], data));
        output.Write(crc);
    }

    // ----- WebP: RIFF container of chunks; VP8X's flags say which metadata chunks follow -----

    private static void StripWebp(Stream content, int orientation, Stream output)
    {
        Span<byte> riff = stackalloc byte[12];
        ReadExactly(content, riff);
        if (!riff[..4].SequenceEqual("RIFF"u8) || !riff[8..].SequenceEqual("WEBP"u8))
        {
            throw Broken("WebP");
        }

        // The RIFF size is written again at the end, so the output is buffered if it cannot seek.
        var body = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        bool extended = false;
        while (TryReadExactly(content, head))
        {
            string type = Encoding.ASCII.GetString(head[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            long padded = size + (size & 1);
            if (padded > int.MaxValue)
            {
                throw Broken("WebP");
            }

            if (type is "EXIF" or "XMP ")
            {
                content.Seek(padded, SeekOrigin.Current);
                continue;
            }

            body.Write(head);
            if (type == "VP8X" && size >= 4)
            {
                extended = true;
                int flags = ReadByte(content);
                // Clear the EXIF (0x08) and XMP (0x04) bits; EXIF comes back below if there is an orientation to keep.
                body.WriteByte((byte)((flags & ~0x0C) | (orientation > 1 ? 0x08 : 0)));
                CopyExactly(content, body, (int)padded - 1);
                continue;
            }

            CopyExactly(content, body, (int)padded);
        }

        if (extended && orientation > 1)
        {
            var tiff = OrientationOnlyTiff(orientation);
            Span<byte> exif = stackalloc byte[8];
            "EXIF"u8.CopyTo(exif);
            BinaryPrimitives.WriteUInt32LittleEndian(exif[4..], (uint)tiff.Length);
            body.Write(exif);
            body.Write(tiff);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(riff[4..], (uint)(body.Length + 4));
        output.Write(riff);
        body.Position = 0;
        body.CopyTo(output);
    }

    // ----- GIF: header, screen descriptor and colour table, then blocks (extensions, images) up to the trailer -----

    /// <summary>
    /// Application extensions other than those that change how the image shows (NETSCAPE2.0 and ANIMEXTS1.0 looping,
    /// an ICC profile) go: XMP ("XMP DataXMP", where editors write places and names) and any maker's own; comments go
    /// too. An XMP packet is written raw and ends with a 258-byte "magic trailer" that makes it read as sub-blocks, so
    /// skipping sub-blocks skips it whole.
    /// </summary>
    private static void StripGif(Stream content, Stream output)
    {
        Span<byte> head = stackalloc byte[13];
        ReadExactly(content, head);
        if (!head[..3].SequenceEqual("GIF"u8))
        {
            throw Broken("GIF");
        }

        output.Write(head);
        if ((head[10] & 0x80) != 0)
        {
            CopyExactly(content, output, 3 << ((head[10] & 0x07) + 1)); // the global colour table
        }

        Span<byte> block = stackalloc byte[12];
        while (true)
        {
            int introducer = ReadByte(content);
            switch (introducer)
            {
                case 0x3B: // trailer: what follows is not part of the image
                    output.WriteByte(0x3B);
                    return;
                case 0x2C: // image descriptor, its local colour table, LZW code size and data
                    output.WriteByte(0x2C);
                    ReadExactly(content, block[..9]);
                    output.Write(block[..9]);
                    if ((block[8] & 0x80) != 0)
                    {
                        CopyExactly(content, output, 3 << ((block[8] & 0x07) + 1));
                    }

                    output.WriteByte((byte)ReadByte(content));
                    CopySubBlocks(content, output);
                    break;
                case 0x21:
                    int label = ReadByte(content);
                    if (label == 0xFE)
                    {
                        CopySubBlocks(content, Stream.Null); // a comment
                    }
                    else if (label == 0xFF && IsKeptApplication(content, block))
                    {
                        output.Write([0x21, 0xFF]);
                        output.Write(block);
                        CopySubBlocks(content, output);
                    }
                    else if (label == 0xFF)
                    {
                        CopySubBlocks(content, Stream.Null);
                    }
                    else
                    {
                        // Graphic control (delays, transparency) and plain text extensions draw the image.
                        output.Write([0x21, (byte)label]);
                        CopySubBlocks(content, output);
                    }

                    break;
                default:
                    throw Broken("GIF");
            }
        }
    }

    /// <summary>Reads an application extension's first sub-block (its 8-byte identifier and 3-byte code) into <paramref name="block"/>.</summary>
    private static bool IsKeptApplication(Stream content, Span<byte> block)
    {
        block[0] = (byte)ReadByte(content);
        if (block[0] != 11)
        {
            // Not the identifier block the format requires: nothing a decoder needs, so dropped whole.
            content.Seek(block[0], SeekOrigin.Current);
            return false;
        }

        ReadExactly(content, block[1..12]);
        var id = block[1..12];
        return id.SequenceEqual("NETSCAPE2.0"u8) || id.SequenceEqual("ANIMEXTS1.0"u8) || id.SequenceEqual("ICCRGBG1012"u8);
    }

    /// <summary>Copies data sub-blocks (a length byte, that many bytes) up to and including the empty one that ends them.</summary>
    private static void CopySubBlocks(Stream content, Stream output)
    {
        while (true)
        {
            int length = ReadByte(content);
            output.WriteByte((byte)length);
            if (length == 0)
            {
                return;
            }

            CopyExactly(content, output, length);
        }
    }

    // ----- Reading -----

    private static int ReadByte(Stream content) => content.ReadByte() is var b and >= 0 ? b : throw Truncated();

    private static void ReadExactly(Stream content, Span<byte> buffer)
    {
        if (!TryReadExactly(content, buffer))
        {
            throw Truncated();
        }
    }

    private static bool TryReadExactly(Stream content, Span<byte> buffer)
    {
        int read = content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length || (read == 0 ? false : throw Truncated());
    }

    private static void CopyExactly(Stream content, Stream output, int count)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(count, 81920));
        try
        {
            while (count > 0)
            {
                int read = content.Read(buffer, 0, Math.Min(count, buffer.Length));
                if (read == 0)
                {
                    throw Truncated();
                }

                output.Write(buffer, 0, read);
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InvalidFileContentException Truncated() => ImageCodec.Refused(FileContentProblem.NotAnImage, "The image is truncated: the file ends in the middle of its structure.");

    private static InvalidFileContentException Broken(string format) => ImageCodec.Refused(FileContentProblem.NotAnImage, $"The {format} file's structure is broken.");
}

/// <summary>CRC-32 (ISO-HDLC), which PNG chunks end with.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in first)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        foreach (byte b in second)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }
}
