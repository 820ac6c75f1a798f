namespace Coffer;

/// <summary>
/// Refuses empty and oversize content: up front when the length is known, otherwise while the backend reads
/// it (before the backend commits the write, so nothing partial is left).
/// </summary>
internal static class ContentGuard
{
    public static Stream Wrap(Stream content, long? declaredLength, FileStorageOptions options, string storageName)
    {
        long? length = declaredLength;
        if (length is null && content.CanSeek)
        {
            length = content.Length - content.Position;
        }

        if (length is { } known)
        {
            Check(known, options, storageName, final: true);
            return content;
        }

        return options.AllowEmptyFiles && options.MaxFileSize is null ? content : new GuardedStream(content, options, storageName);
    }

    internal static void Check(long length, FileStorageOptions options, string storageName, bool final)
    {
        if (options.MaxFileSize is { } max && length > max)
        {
            throw new InvalidFileContentException(FileContentProblem.TooLarge,
                $"The file is larger than the {max:N0} bytes that storage '{storageName}' accepts (MaxFileSize).");
        }

        if (final && length == 0 && !options.AllowEmptyFiles)
        {
            throw new InvalidFileContentException(FileContentProblem.Empty,
                $"The file is empty. Storage '{storageName}' does not accept empty files (AllowEmptyFiles is off).");
        }
    }

    private sealed class GuardedStream(Stream inner, FileStorageOptions options, string storageName) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            Check(_read, options, storageName, final: read == 0);
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
