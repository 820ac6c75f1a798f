namespace Coffer;

/// <summary>
/// A read-only, forward-only view of another stream that counts the bytes read through it. Compiled into every
/// package that wraps a stream it hands on (src/Shared), so that the <see cref="Stream"/> boilerplate is written once;
/// a subclass watches the reads in <see cref="OnRead"/>. Disposing it leaves the inner stream to its owner.
/// </summary>
internal class ForwardReadStream(Stream inner) : Stream
{
    /// <summary>The bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    protected Stream Inner { get; } = inner;

    public override int Read(byte[] buffer, int offset, int count) => Counted(Inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Counted(Inner.Read(buffer));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Most reads of a buffered body complete synchronously; they need no state machine.
        var pending = Inner.ReadAsync(buffer, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<int>(Counted(pending.Result)) : CountedAsync(pending);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Called after each read with the number of bytes it returned (0 at the end), after <see cref="BytesRead"/> counts them.</summary>
    protected virtual void OnRead(int read)
    {
    }

    private async ValueTask<int> CountedAsync(ValueTask<int> pending) => Counted(await pending.ConfigureAwait(false));

    private int Counted(int read)
    {
        BytesRead += read;
        OnRead(read);
        return read;
    }
}
