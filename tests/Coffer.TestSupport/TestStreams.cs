using System.Text;

namespace Coffer.TestSupport;

/// <summary>Content for a save from a string.</summary>
public static class TestContent
{
    public static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary><paramref name="length"/> bytes that differ from part to part (so a part put in the wrong place shows).</summary>
    public static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>
/// The boilerplate of a read-only stream that cannot seek and does not know its length, like a request body: a
/// double says only how it reads (<see cref="Read(Span{byte})"/>, and <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>
/// when it must be asynchronous).
/// </summary>
public abstract class ForwardOnlyTestStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Abstract, so that Stream's own Read(Span) (which calls Read(byte[])) cannot loop back here.
    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A read-only stream that cannot seek and does not know its length, like a request body.</summary>
public sealed class NonSeekableStream(byte[] content) : ForwardOnlyTestStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        // Short reads on purpose: at most 1000 bytes at a time.
        int n = Math.Min(Math.Min(buffer.Length, 1000), content.Length - _position);
        content.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}

/// <summary>Content that breaks after some bytes, as a client that disconnects mid-upload does.</summary>
public sealed class BrokenStream(int failAfter) : ForwardOnlyTestStream
{
    private int _read;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (_read >= failAfter)
        {
            throw new IOException("The client went away.");
        }

        int n = Math.Min(buffer.Length, Math.Min(1024, failAfter - _read + 1));
        buffer[..n].Fill((byte)'x');
        _read += n;
        return n;
    }
}

/// <summary>Content that cancels the save after some bytes, as a user who presses Stop does.</summary>
public sealed class CancellingStream(CancellationTokenSource cancellation, int cancelAfter) : ForwardOnlyTestStream
{
    private int _read;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_read >= cancelAfter)
        {
            await cancellation.CancelAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
        int n = Math.Min(buffer.Length, 1024);
        buffer.Span[..n].Fill((byte)'y');
        _read += n;
        return n;
    }
}
