namespace Coffer.S3;

/// <summary>
/// The deadline of one request to the store: it cancels <see cref="Token"/> when the request has made no progress
/// for its timeout, and every piece of progress (<see cref="Progress"/>, or a read of a <see cref="Watch"/>ed body)
/// moves it. A fixed total would cut off a large transfer that is merely slow; an idle deadline gives up only on a
/// store that has stopped. Whether it, rather than the caller, cancelled is <see cref="Expired"/>.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private readonly long _step;
    private long _movedAt;

    public RequestDeadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeout = timeout;
        _caller = cancellationToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _source.CancelAfter(timeout);
        // Moving the timer on every read of a large body costs more than it buys: a step of 1/16 of the timeout
        // keeps the deadline within about 6% of exact.
        _step = Math.Max(1, (long)timeout.TotalMilliseconds / 16);
        _movedAt = Environment.TickCount64;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled by the caller's token or when the deadline passes.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The deadline passed; the caller did not cancel.</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>The request moved: the deadline is again a whole timeout away.</summary>
    public void Progress()
    {
        long now = Environment.TickCount64;
        if (now - Volatile.Read(ref _movedAt) < _step)
        {
            return;
        }

        Volatile.Write(ref _movedAt, now);
        try
        {
            _source.CancelAfter(Timeout);
        }
        catch (ObjectDisposedException)
        {
            // The request is over; a late read of its body changes nothing.
        }
    }

    /// <summary>A view of a request body whose every read counts as progress.</summary>
    public Stream Watch(Stream body) => new WatchedStream(body, this);

    public void Dispose() => _source.Dispose();

    /// <summary>Forwards everything to the body (seeking too: the SDK rewinds it to sign and to retry).</summary>
    private sealed class WatchedStream(Stream inner, RequestDeadline deadline) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Moved(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Moved(inner.Read(buffer));

        // The SDK reads a body in 8 KiB pieces; reads that complete at once (a part buffer's stream) pass on the
        // inner stream's own task, which MemoryStream caches, so a 1 GiB upload does not allocate one per piece.
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(buffer, cancellationToken);
            return read.IsCompletedSuccessfully ? new ValueTask<int>(Moved(read.Result)) : MovedAsync(read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var read = inner.ReadAsync(buffer, offset, count, cancellationToken);
            if (read.IsCompletedSuccessfully)
            {
                deadline.Progress();
                return read;
            }

            return MovedAsync(new ValueTask<int>(read)).AsTask();
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // Disposing the view leaves the body to its owner (the caller's content, or a part buffer's stream).
        private int Moved(int read)
        {
            deadline.Progress();
            return read;
        }

        private async ValueTask<int> MovedAsync(ValueTask<int> read) => Moved(await read.ConfigureAwait(false));
    }
}
