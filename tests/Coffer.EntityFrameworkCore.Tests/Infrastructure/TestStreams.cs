using System.Text;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

internal static class TestContent
{
    public static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));
}

/// <summary>Content that breaks after some bytes, as a client that disconnects mid-upload does.</summary>
internal sealed class BrokenStream(int failAfter) : Stream
{
    private int _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

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

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Content that cancels the save after some bytes, as a user who presses Stop does.</summary>
internal sealed class CancellingStream(CancellationTokenSource cancellation, int cancelAfter) : Stream
{
    private int _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
