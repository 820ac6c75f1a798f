using System.Buffers;
using System.Globalization;
using Coffer.Signing;

namespace Coffer.Local;

// Direct uploads to local disk, always in parts: the part URLs point at MapCoffer's endpoint, which hands each body to
// SaveDirectUploadPartAsync; completing concatenates the parts into the file. See LocalUploadFolder for the layout.
public sealed partial class LocalFileStorage
{
    private const long PreferredPartSize = 8 * 1024 * 1024;
    private const int ConcatBufferSize = 1024 * 1024;

    /// <inheritdoc />
    /// <remarks>Only a private storage takes direct uploads: its part URLs are signed with its keys, the only permission the endpoint asks for.</remarks>
    public override bool SupportsDirectUploads => _signer is not null && Options.SignsUrls;

    /// <summary>
    /// Verifies a part URL of this storage (<see cref="FileStorage.GetDirectUploadPartUrl"/>), for the endpoint that
    /// receives the parts. A file's download URL is never a valid part URL, nor a part URL a valid download URL.
    /// </summary>
    /// <param name="name">The file name taken from the URL's path.</param>
    /// <param name="query">The URL's upload, part and signature parameters.</param>
    /// <returns>Why the URL is valid or not; only for <see cref="UrlSignatureStatus.Valid"/> may the body be received.</returns>
    public UrlSignatureStatus VerifyDirectUploadPartUrl(string name, DirectUploadPartQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            FileNames.Validate(name);
        }
        catch (InvalidFileNameException)
        {
            return UrlSignatureStatus.Tampered;
        }

        if (_signer is null)
        {
            return UrlSignatureStatus.UnknownKey;
        }

        if (query is { UploadId: null, PartNumber: null, PartLength: null } && query.Signature is { Signature: null, Expires: null, KeyId: null })
        {
            return UrlSignatureStatus.Missing;
        }

        return LocalUploadFolder.IsId(query.UploadId) && query is { PartNumber: { } number, PartLength: { } length }
            ? _signer.Verify(PartSignedName(name, query.UploadId, number, length), query.Signature)
            : UrlSignatureStatus.Malformed;
    }

    /// <summary>
    /// Stores part <paramref name="partNumber"/> of an unfinished direct upload from <paramref name="content"/>, which must
    /// hold exactly <paramref name="partLength"/> bytes (the part's length in the upload's plan). The part is listed only
    /// once its last byte is on disk; a part sent again replaces itself. Reads past the length only to see that the
    /// content ends there.
    /// </summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The upload's id.</param>
    /// <param name="partNumber">The part's number, from 1.</param>
    /// <param name="partLength">The part's exact length.</param>
    /// <param name="content">The part's bytes, read once from its current position; the stream is not disposed.</param>
    /// <param name="cancellationToken">Cancels the write; nothing of the part is kept.</param>
    /// <returns>The part's entity tag, quoted, for an <c>ETag</c> header.</returns>
    /// <exception cref="FileNotFoundException">There is no such upload: it was completed, aborted or swept.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The upload has no such part, or the part has another length.</exception>
    /// <exception cref="InvalidFileContentException">The content is longer than <paramref name="partLength"/> (<see cref="FileContentProblem.TooLarge"/>); nothing is kept.</exception>
    /// <exception cref="EndOfStreamException">The content ended before <paramref name="partLength"/> bytes; nothing is kept.</exception>
    /// <exception cref="NotSupportedException">The storage does not take direct uploads.</exception>
    public async Task<string> SaveDirectUploadPartAsync(string name, string uploadId, int partNumber, long partLength, Stream content, CancellationToken cancellationToken = default)
    {
        FileNames.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentNullException.ThrowIfNull(content);
        if (!SupportsDirectUploads)
        {
            throw new NotSupportedException($"Storage '{Name}' is public, so it takes no direct uploads: it has no key to sign their part URLs with. Use a private storage.");
        }

        var upload = LocalUploadFolder.Open(_root, name, uploadId) ?? throw NoSuchUpload(name);
        long planned = upload.PartLength(partNumber);
        if (planned != partLength)
        {
            throw new ArgumentOutOfRangeException(nameof(partLength), partLength, planned < 0
                ? $"The upload of '{name}' has {upload.PartCount} parts; it has no part {partNumber}."
                : $"Part {partNumber} of the upload of '{name}' has {planned} bytes, not {partLength}.");
        }

        string partial = upload.NewPartialPath(partNumber);
        try
        {
            var written = await WritePartAsync(partial, content, partNumber, partLength, cancellationToken).ConfigureAwait(false);
            // rename(2) over an earlier send of the same part: the listing sees one whole part or the other, never half.
            File.Move(partial, upload.PartPath(partNumber), overwrite: true);
            Log.DirectUploadPartSaved(Logger, Name, name, uploadId, partNumber, partLength);
            return string.Create(CultureInfo.InvariantCulture, $"\"{partNumber:x}-{written.Ticks:x}-{partLength:x}\"");
        }
        catch (DirectoryNotFoundException ex)
        {
            // Completed or aborted while the part was on its way.
            throw NoSuchUpload(name, ex);
        }
        catch (Exception ex) when (ex is InvalidFileContentException or IOException or OperationCanceledException) // cut short, too long, or cancelled
        {
            Log.DirectUploadPartDropped(Logger, ex, Name, name, uploadId, partNumber);
            throw;
        }
        finally
        {
            if (File.Exists(partial))
            {
                TryDelete(partial);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task<DirectUploadPlan> StartDirectUploadCoreAsync(string name, long length, string contentType, TimeSpan expiry, CancellationToken cancellationToken)
    {
        // The content type is not kept: a local file's type comes from its name when it is served.
        long partSize = DirectUploadPlan.ChoosePartSize(length, PreferredPartSize);
        string uploadId = LocalUploadFolder.NewId();
        var upload = await LocalUploadFolder.CreateAsync(_root, name, uploadId, length, partSize, cancellationToken).ConfigureAwait(false);
        Log.DirectUploadStarted(Logger, Name, name, uploadId, upload.PartCount);
        return DirectUploadPlan.Parts(uploadId, length, partSize);
    }

    /// <inheritdoc />
    protected override FileUrl GetDirectUploadPartUrlCore(string name, string uploadId, int partNumber, long partLength, TimeSpan expiry)
    {
        if (!LocalUploadFolder.IsId(uploadId))
        {
            throw new ArgumentException($"'{uploadId}' is not an upload id of a local storage; pass the plan's UploadId.", nameof(uploadId));
        }

        var expiresAt = WholeSecondsFromNow(expiry);
        string number = partNumber.ToString(CultureInfo.InvariantCulture);
        string length = partLength.ToString(CultureInfo.InvariantCulture);
        string signature = _signer!.CreateQuery(PartSignedName(name, uploadId, partNumber, partLength), expiresAt);
        return new FileUrl(string.Concat(GetPlainUrl(name), "?",
            $"{DirectUploadPartQuery.UploadIdParameter}={uploadId}&{DirectUploadPartQuery.PartNumberParameter}={number}&{DirectUploadPartQuery.PartLengthParameter}={length}&",
            signature), expiresAt);
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<UploadedPart>> ListDirectUploadPartsCoreAsync(string name, string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var upload = LocalUploadFolder.Open(_root, name, uploadId) ?? throw NoSuchUpload(name);
        try
        {
            return Task.FromResult<IReadOnlyList<UploadedPart>>(upload.ListParts());
        }
        catch (DirectoryNotFoundException ex)
        {
            throw NoSuchUpload(name, ex);
        }
    }

    /// <inheritdoc />
    protected override async Task CompleteDirectUploadCoreAsync(string name, string uploadId, long length, CancellationToken cancellationToken)
    {
        var upload = LocalUploadFolder.Open(_root, name, uploadId) ?? throw NoSuchUpload(name);
        var parts = upload.ListParts();
        long received = parts.Sum(part => part.Length);

        // Every part within the plan and no longer than planned: then the parts add up to the length exactly when each
        // one is there whole. Anything beyond the plan is more than declared, which no honest client sends.
        int partCount = DirectUploadParts.Count(length, upload.PartSize);
        if (received > length || parts.Any(part => part.Number > partCount || part.Length > DirectUploadParts.Length(part.Number, length, upload.PartSize)))
        {
            LocalUploadFolder.DeleteTree(upload.Path);
            LocalUploadFolder.DeleteIfEmpty(Path.GetDirectoryName(upload.Path)!);
            Log.DirectUploadTooLarge(Logger, Name, name, uploadId, received, length);
            throw new InvalidFileContentException(FileContentProblem.TooLarge,
                $"The parts hold more than the {length:N0} bytes declared for the file; the upload was aborted. Start it again.");
        }

        if (received < length)
        {
            Log.DirectUploadIncomplete(Logger, Name, name, uploadId, received, length);
            int missing = partCount - parts.Count(part => part.Length == DirectUploadParts.Length(part.Number, length, upload.PartSize));
            throw new UploadTicketException(UploadTicketProblem.Incomplete,
                $"The upload is not complete: {missing} of its {partCount} parts {(missing == 1 ? "has" : "have")} not arrived. Send the missing parts, then complete it again.");
        }

        string target = PathOf(name);
        string directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        // A .coffer-….tmp beside the target, as a save writes: not a file for any member, and swept if the process dies.
        string tempPath = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            await ConcatenateAsync(upload, parts, tempPath, length, cancellationToken).ConfigureAwait(false);
            if (!NoReplaceMove.TryMove(tempPath, target))
            {
                // The parts stay: the winner of a concurrent complete removes them, and otherwise the abort or sweep does.
                throw new UploadTicketException(UploadTicketProblem.AlreadyCommitted,
                    "A file is already stored under this upload's name: the upload was completed already. Start a new upload to send the file again.");
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !Directory.Exists(upload.Path))
        {
            throw NoSuchUpload(name, ex); // aborted while its parts were being put together
        }
        finally
        {
            if (File.Exists(tempPath))
            {
                TryDelete(tempPath);
            }
        }

        LocalUploadFolder.DeleteTree(upload.Path);
        LocalUploadFolder.DeleteIfEmpty(Path.GetDirectoryName(upload.Path)!);
        Log.DirectUploadCompleted(Logger, Name, name, uploadId, parts.Count, length);
    }

    /// <inheritdoc />
    protected override Task AbortDirectUploadCoreAsync(string name, string? uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string nameFolder = LocalUploadFolder.NameFolder(_root, name);
        if (uploadId is null)
        {
            LocalUploadFolder.DeleteTree(nameFolder);
        }
        else if (LocalUploadFolder.IsId(uploadId))
        {
            LocalUploadFolder.DeleteTree(Path.Combine(nameFolder, uploadId));
            LocalUploadFolder.DeleteIfEmpty(nameFolder);
        }

        // Any other id names no upload this storage started: there is nothing to remove.
        Log.DirectUploadAborted(Logger, Name, name, uploadId);
        return Task.CompletedTask;
    }

    /// <summary>Finds (and unless <paramref name="dryRun"/>, removes) the folders of direct uploads nothing was written to since <paramref name="cutoffUtc"/>.</summary>
    private void SweepUploadFolders(DateTime cutoffUtc, bool dryRun, List<string> removed, CancellationToken cancellationToken)
    {
        var uploads = new DirectoryInfo(Path.Combine(_root, LocalUploadFolder.RootName));
        if (!uploads.Exists)
        {
            return;
        }

        foreach (var nameFolder in uploads.EnumerateDirectories())
        {
            foreach (var upload in nameFolder.EnumerateDirectories())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (LocalUploadFolder.LastActivityUtc(upload) >= cutoffUtc)
                {
                    continue;
                }

                if (!dryRun)
                {
                    LocalUploadFolder.DeleteTree(upload.FullName);
                }

                removed.Add(upload.FullName);
            }

            if (!dryRun)
            {
                // A start that loses its name's folder to this makes it again (LocalUploadFolder.CreateAsync).
                LocalUploadFolder.DeleteIfEmpty(nameFolder.FullName);
            }
        }
    }

    private static async Task<DateTime> WritePartAsync(string path, Stream content, int partNumber, long partLength, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            await using (file.ConfigureAwait(false))
            {
                long written = 0;
                while (true)
                {
                    // One byte more than the part still needs: an extra byte is seen as soon as it arrives.
                    int wanted = (int)Math.Min(buffer.Length, partLength - written + 1);
                    int read = await content.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    if (written + read > partLength)
                    {
                        throw new InvalidFileContentException(FileContentProblem.TooLarge,
                            $"Part {partNumber} is longer than the {partLength:N0} bytes its URL was signed for. Send exactly that many.");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    written += read;
                }

                if (written < partLength)
                {
                    throw new EndOfStreamException($"Part {partNumber} ended after {written:N0} of its {partLength:N0} bytes.");
                }

                // Durable before it is listed: a completed upload must never be put together from a part lost in a crash.
                file.Flush(flushToDisk: true);
            }

            return File.GetLastWriteTimeUtc(path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task ConcatenateAsync(LocalUploadFolder upload, List<UploadedPart> parts, string tempPath, long length, CancellationToken cancellationToken)
    {
        var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            file.SetLength(length); // one allocation up front, not one per write
            file.Position = 0;
            foreach (var part in parts)
            {
                var source = new FileStream(upload.PartPath(part.Number), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                    bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false))
                {
                    await source.CopyToAsync(file, ConcatBufferSize, cancellationToken).ConfigureAwait(false);
                }
            }

            if (file.Position != length)
            {
                // A part replaced by one of another length between the check and the copy: nothing honest does that.
                throw new IOException($"The parts of the upload of '{upload.Name}' changed while they were put together; complete it again.");
            }

            file.Flush(flushToDisk: true);
        }
    }

    private DateTimeOffset WholeSecondsFromNow(TimeSpan expiry) =>
        // Whole seconds: the expiry travels as Unix seconds, and the reported time must match it.
        DateTimeOffset.FromUnixTimeSeconds((TimeProvider.GetUtcNow() + expiry).ToUnixTimeSeconds());

    /// <summary>
    /// What a part URL signs, in place of a file name: the method, upload, part and length joined by newlines, which
    /// no stored name holds (FileNames.Validate refuses control characters). So no download URL's signature is a
    /// part URL's, and no part URL's a download URL's or another part's.
    /// </summary>
    private static string PartSignedName(string name, string uploadId, int partNumber, long partLength) =>
        string.Join('\n', "PUT direct-upload-part", uploadId, partNumber.ToString(CultureInfo.InvariantCulture), partLength.ToString(CultureInfo.InvariantCulture), name);

    private FileNotFoundException NoSuchUpload(string name, Exception? inner = null) =>
        new($"Storage '{Name}' has no unfinished direct upload of '{name}' with that id: it was completed, aborted or swept.", name, inner);
}
