namespace Coffer;

// Direct uploads: a client sends a file's bytes straight to the store, under a name the server chose, and the server
// commits the name with its row afterwards. The public members check the name and limits, then call the backend's hooks;
// a backend that cannot take direct uploads keeps the defaults, which refuse.
public abstract partial class FileStorage
{
    /// <summary>Whether clients can send files straight to this storage (<see cref="StartDirectUploadAsync"/>).</summary>
    public virtual bool SupportsDirectUploads => false;

    /// <summary>
    /// Starts a direct upload of <paramref name="length"/> bytes under <paramref name="name"/>, a stored name the caller
    /// chose with <see cref="GetSaveName"/> (so it has the storage's random token and belongs to this upload alone). The
    /// store will accept at most <paramref name="length"/> bytes, of <paramref name="contentType"/>, until
    /// <paramref name="expiry"/> has passed. Nothing is visible under the name before the upload is complete.
    /// </summary>
    /// <param name="name">The stored name.</param>
    /// <param name="length">The declared length: within <see cref="FileStorageOptions.MaxFileSize"/>.</param>
    /// <param name="contentType">The content type the object is stored with.</param>
    /// <param name="expiry">How long the client may send bytes (the form's or the part URLs' lifetime).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>How the client sends the bytes.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    /// <exception cref="InvalidFileContentException">The length is refused (too large, or empty).</exception>
    /// <exception cref="NotSupportedException">The storage does not take direct uploads (<see cref="SupportsDirectUploads"/>).</exception>
    /// <exception cref="StorageUnavailableException">The store could not be reached.</exception>
    public Task<DirectUploadPlan> StartDirectUploadAsync(string name, long length, string contentType, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        FileNames.Validate(name);
        ValidateBackendName(name);
        ValidateContentLength(length);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        RequireDirectUploads();
        return StartDirectUploadCoreAsync(name, length, contentType, expiry, cancellationToken);
    }

    /// <summary>
    /// The URL a client PUTs part <paramref name="partNumber"/> of an upload in parts to, signed for that number and exactly
    /// <paramref name="partLength"/> bytes: the store refuses any other body. Makes no network call.
    /// </summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The plan's <see cref="DirectUploadPlan.UploadId"/>.</param>
    /// <param name="partNumber">The part's number, from 1.</param>
    /// <param name="partLength">The part's exact length.</param>
    /// <param name="expiry">How long the URL works.</param>
    /// <exception cref="NotSupportedException">The storage does not take direct uploads.</exception>
    public FileUrl GetDirectUploadPartUrl(string name, string uploadId, int partNumber, long partLength, TimeSpan expiry)
    {
        FileNames.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, DirectUploadPlan.MaxParts);
        ArgumentOutOfRangeException.ThrowIfLessThan(partLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        RequireDirectUploads();
        return GetDirectUploadPartUrlCore(name, uploadId, partNumber, partLength, expiry);
    }

    /// <summary>The parts the store holds of an unfinished upload in parts, in part order: what a client resuming need not send again.</summary>
    /// <exception cref="FileNotFoundException">There is no such upload: it was completed or aborted.</exception>
    /// <exception cref="NotSupportedException">The storage does not take direct uploads.</exception>
    public Task<IReadOnlyList<UploadedPart>> ListDirectUploadPartsAsync(string name, string uploadId, CancellationToken cancellationToken = default)
    {
        FileNames.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        RequireDirectUploads();
        return ListDirectUploadPartsCoreAsync(name, uploadId, cancellationToken);
    }

    /// <summary>
    /// Completes an upload in parts from the parts the store itself holds (never from what a client reports), after checking
    /// that they add up to exactly <paramref name="length"/> bytes. Refuses, without touching another file, if anything
    /// is already stored under the name.
    /// </summary>
    /// <exception cref="InvalidFileContentException">The parts hold more bytes than declared; the upload was aborted.</exception>
    /// <exception cref="UploadTicketException">The parts hold fewer bytes than declared (<see cref="UploadTicketProblem.Incomplete"/>): send the missing parts, then complete again.</exception>
    /// <exception cref="FileNotFoundException">There is no such upload: it was completed or aborted.</exception>
    /// <exception cref="NotSupportedException">The storage does not take direct uploads.</exception>
    public Task CompleteDirectUploadAsync(string name, string uploadId, long length, CancellationToken cancellationToken = default)
    {
        FileNames.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        RequireDirectUploads();
        return CompleteDirectUploadCoreAsync(name, uploadId, length, cancellationToken);
    }

    /// <summary>
    /// Abandons a direct upload: removes its parts and, if it completed, the object, so nothing of it stays in the store.
    /// An upload that no longer exists is not an error.
    /// </summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The plan's <see cref="DirectUploadPlan.UploadId"/>; <see langword="null"/> for every unfinished upload of the name (the sweep, which knows only the name).</param>
    /// <param name="cancellationToken">Cancels the abort.</param>
    public async Task AbortDirectUploadAsync(string name, string? uploadId, CancellationToken cancellationToken = default)
    {
        FileNames.Validate(name);
        if (SupportsDirectUploads)
        {
            await AbortDirectUploadCoreAsync(name, uploadId, cancellationToken).ConfigureAwait(false);
        }

        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a direct upload of a checked name and length (see <see cref="StartDirectUploadAsync"/>).</summary>
    protected virtual Task<DirectUploadPlan> StartDirectUploadCoreAsync(string name, long length, string contentType, TimeSpan expiry, CancellationToken cancellationToken) =>
        throw NotSupported();

    /// <summary>Signs the URL of one part (see <see cref="GetDirectUploadPartUrl"/>). Must not do network I/O.</summary>
    protected virtual FileUrl GetDirectUploadPartUrlCore(string name, string uploadId, int partNumber, long partLength, TimeSpan expiry) =>
        throw NotSupported();

    /// <summary>Lists the parts the store holds (see <see cref="ListDirectUploadPartsAsync"/>).</summary>
    protected virtual Task<IReadOnlyList<UploadedPart>> ListDirectUploadPartsCoreAsync(string name, string uploadId, CancellationToken cancellationToken) =>
        throw NotSupported();

    /// <summary>Completes an upload in parts (see <see cref="CompleteDirectUploadAsync"/>).</summary>
    protected virtual Task CompleteDirectUploadCoreAsync(string name, string uploadId, long length, CancellationToken cancellationToken) =>
        throw NotSupported();

    /// <summary>Removes the parts of an unfinished upload, or of every unfinished upload of the name when <paramref name="uploadId"/> is <see langword="null"/>; the object itself is deleted afterwards by the caller.</summary>
    protected virtual Task AbortDirectUploadCoreAsync(string name, string? uploadId, CancellationToken cancellationToken) =>
        throw NotSupported();

    private void RequireDirectUploads()
    {
        if (!SupportsDirectUploads)
        {
            throw NotSupported();
        }
    }

    private NotSupportedException NotSupported() => new(
        $"Storage '{Name}' ({GetType().Name}) does not take direct uploads; upload through the app (SaveAsync), or use a private local-disk or S3 storage.");
}
