using System.Globalization;

namespace Coffer.S3.Presigning.Internal;

/// <summary>Appends bytes to a span; the caller sized the span for the worst case.</summary>
internal ref struct ByteWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Position { get; private set; }

    public readonly ReadOnlySpan<byte> Written => _buffer[..Position];

    public readonly Span<byte> Free => _buffer[Position..];

    public void Advance(int count) => Position += count;

    public void Write(byte value) => _buffer[Position++] = value;

    public void Write(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    public void WriteNumber(long value)
    {
        value.TryFormat(_buffer[Position..], out int written, default, CultureInfo.InvariantCulture);
        Position += written;
    }

    public void WriteHexLower(scoped ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        Span<byte> destination = _buffer.Slice(Position, bytes.Length * 2);
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = hex[bytes[i] >> 4];
            destination[(2 * i) + 1] = hex[bytes[i] & 0xF];
        }

        Position += bytes.Length * 2;
    }
}
