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

    /// <summary>The one rule for content length: over <see cref="FileStorageOptions.MaxFileSize"/>, or empty (when <paramref name="final"/>) without <see cref="FileStorageOptions.AllowEmptyFiles"/>.</summary>
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

    private sealed class GuardedStream(Stream inner, FileStorageOptions options, string storageName) : ForwardReadStream(inner)
    {
        protected override void OnRead(int read) => Check(BytesRead, options, storageName, final: read == 0);
    }
}
