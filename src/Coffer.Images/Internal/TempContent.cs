namespace Coffer.Images.Internal;

/// <summary>
/// Image content in a seekable stream: the assigned stream itself when it can seek, or a temporary file it is copied to
/// (the header is read, then the whole image, then the stripped copy: three passes a request body cannot give).
/// </summary>
internal sealed class TempContent : IAsyncDisposable
{
    private readonly bool _owned;

    private TempContent(Stream stream, bool owned)
    {
        Stream = stream;
        _owned = owned;
    }

    public Stream Stream { get; }

    /// <summary>A temporary file, deleted when closed (also when the process dies, on Linux, once unlinked by the OS).</summary>
    public static FileStream CreateFile() => new(
        Path.Combine(Path.GetTempPath(), "coffer-image-" + Guid.NewGuid().ToString("N")),
        FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

    /// <summary>How much is read before <c>wantsRest</c> is first asked whether the rest is worth reading.</summary>
    public const int HeadLength = 1 << 16;

    public static Task<TempContent> FromAsync(Stream content, FileStorage storage, CancellationToken cancellationToken) =>
        FromAsync(content, storage, wantsRest: null, cancellationToken);

    /// <summary>
    /// Like <see cref="FromAsync(Stream, FileStorage, CancellationToken)"/>, but a stream that cannot seek is read
    /// <see cref="HeadLength"/> bytes first, then <paramref name="wantsRest"/> is asked, looking at all that was read
    /// (positioned at 0), after each further read until it answers: <see langword="true"/> reads the rest,
    /// <see langword="false"/> stops there. A large object whose header already decides costs a small read, not a
    /// download.
    /// </summary>
    public static async Task<TempContent> FromAsync(Stream content, FileStorage storage, Func<Stream, bool?>? wantsRest, CancellationToken cancellationToken)
    {
        if (content.CanSeek)
        {
            return new TempContent(content, owned: false);
        }

        var file = CreateFile();
        try
        {
            // Copied with the storage's size limit, so an endless body cannot fill the disk before the storage refuses it.
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (storage.Options.MaxFileSize is { } max && total > max)
                {
                    storage.ValidateContentLength(total);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (wantsRest is not null && total >= HeadLength)
                {
                    file.Position = 0;
                    bool? more = wantsRest(file);
                    file.Position = total;
                    if (more == false)
                    {
                        break;
                    }

                    if (more == true)
                    {
                        wantsRest = null;
                    }
                }
            }

            file.Position = 0;
            return new TempContent(file, owned: true);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _owned ? Stream.DisposeAsync() : ValueTask.CompletedTask;
}
