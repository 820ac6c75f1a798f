using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3.Presigning;

namespace Coffer.S3;

/// <summary>
/// The S3 side of direct uploads: a browser sends the bytes straight to the store, under a name and limits the
/// server chose and signed. Small files go up as one signed form (POST Object); large ones as a multipart upload the
/// server starts, whose parts the browser PUTs to URLs each signed for its number and length, and which the server
/// completes from the store's own list of parts.
/// </summary>
public sealed partial class S3FileStorage
{
    /// <summary>S3's smallest part, except for the last one of an upload.</summary>
    private const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>S3's largest part and largest single upload (PUT or POST).</summary>
    private const long MaxSingleUploadSize = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// Signs an HTML form upload (S3 POST Object) of <paramref name="name"/>: the store accepts the file only under
    /// exactly that name, with exactly <paramref name="contentType"/>, at most <paramref name="maxLength"/> bytes long
    /// (at least 1 unless <see cref="FileStorageOptions.AllowEmptyFiles"/>), before the form expires, and with the
    /// storage's ACL, encryption, Cache-Control, Content-Disposition and metadata, which are fields of the form too.
    /// </summary>
    /// <remarks>
    /// A POST replaces any object under the name (POST Object has no <c>If-None-Match</c>): give it a fresh name.
    /// The form is signed for <see cref="S3FileStorageOptions.PublicEndpoint"/> when set; the bucket needs a CORS rule
    /// allowing POST from the page's origin.
    /// </remarks>
    /// <param name="name">The stored name (relative to the location), as <c>SaveAsync</c> would store it.</param>
    /// <param name="maxLength">The most bytes the file may have: 1 byte to 5 GiB (S3's limit for one upload).</param>
    /// <param name="contentType">The Content-Type the browser must send and the object is stored with.</param>
    /// <param name="expiry">How long the form works: 1 second to 7 days, whole seconds.</param>
    /// <returns>Where to post, the fields in order, and when the form expires.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The length or expiry is out of range.</exception>
    /// <exception cref="ArgumentException">The content type is empty or not printable ASCII.</exception>
    /// <exception cref="InvalidOperationException">The storage does not sign URLs (a public storage), or its credentials have expired.</exception>
    public S3UploadForm CreateUploadForm(string name, long maxLength, string contentType, TimeSpan expiry)
    {
        string key = GetObjectKey(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, MaxSingleUploadSize);
        ValidateContentType(contentType);
        return S3PostPolicy.Create(UploadSigner, key, Options.AllowEmptyFiles ? 0 : 1, maxLength, contentType, [.. _objectParameters.FormFields()], TimeProvider.GetUtcNow(), expiry);
    }

    /// <summary>
    /// Starts a multipart upload of <paramref name="name"/> for a browser to send the parts of, with the storage's
    /// ACL, encryption, Cache-Control, Content-Disposition and metadata, as its own large uploads have.
    /// </summary>
    /// <remarks>Nothing is visible under the name until <see cref="CompleteMultipartUploadAsync"/>; the parts stay (and are billed) until it or <see cref="AbortMultipartUploadAsync"/>.</remarks>
    /// <param name="name">The stored name (relative to the location); a fresh one, since completing replaces any object under it.</param>
    /// <param name="contentType">The Content-Type the object is stored with.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The upload id, for the part URLs, the listing, completion and abort.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    /// <exception cref="StorageUnavailableException">The store cannot be reached or refused the request.</exception>
    public async Task<string> StartMultipartUploadAsync(string name, string contentType, CancellationToken cancellationToken = default)
    {
        string key = GetObjectKey(name);
        ValidateContentType(contentType);
        using var upload = await MultipartUpload.StartAsync(this, key, contentType, cancellationToken).ConfigureAwait(false);
        return upload.UploadId;
    }

    /// <summary>
    /// Presigns the PUT of part <paramref name="partNumber"/> of a multipart upload with its
    /// <c>Content-Length</c> signed: the store refuses a body of any other length.
    /// </summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The id from <see cref="StartMultipartUploadAsync"/>.</param>
    /// <param name="partNumber">1 to 10,000.</param>
    /// <param name="contentLength">The part's exact length: 1 byte to 5 GiB, at least 5 MiB except for the last part.</param>
    /// <param name="expiry">How long the URL works: 1 second to 7 days, whole seconds.</param>
    /// <returns>The URL and when it expires; the browser must send exactly <paramref name="contentLength"/> bytes to it, and read the part's ETag from the answer only if it wants to (completion does not use it).</returns>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The part number, length or expiry is out of range.</exception>
    /// <exception cref="InvalidOperationException">The storage does not sign URLs (a public storage), or its credentials have expired.</exception>
    public FileUrl GetPartUploadUrl(string name, string uploadId, int partNumber, long contentLength, TimeSpan expiry)
    {
        string key = GetObjectKey(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, MaxParts);
        ArgumentOutOfRangeException.ThrowIfLessThan(contentLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contentLength, MaxSingleUploadSize);
        return UploadSigner.PresignUploadPart(key, uploadId, partNumber, contentLength, TimeProvider.GetUtcNow(), expiry);
    }

    /// <summary>The parts the store holds of an unfinished multipart upload, in part order (all pages).</summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The id from <see cref="StartMultipartUploadAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>Each part's number and size.</returns>
    /// <exception cref="FileNotFoundException">There is no such upload: it was completed or aborted, or a lifecycle rule removed it.</exception>
    /// <exception cref="StorageUnavailableException">The store cannot be reached or refused the request.</exception>
    public async Task<IReadOnlyList<S3UploadedPart>> ListUploadedPartsAsync(string name, string uploadId, CancellationToken cancellationToken = default)
    {
        var parts = await ListPartsAsync(name, GetObjectKey(name), uploadId, cancellationToken).ConfigureAwait(false);
        return [.. parts.Select(p => new S3UploadedPart(p.PartNumber ?? 0, p.Size ?? 0))];
    }

    /// <summary>
    /// Completes a multipart upload from the parts the store itself lists (never from ETags a client sent), after
    /// checking that they add up to <paramref name="expectedLength"/> and that every part but the last has at least
    /// 5 MiB. A refused upload is aborted, so nothing is left in the store.
    /// </summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The id from <see cref="StartMultipartUploadAsync"/>.</param>
    /// <param name="expectedLength">The declared length of the whole file.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="InvalidFileContentException">The parts hold more bytes than declared (<see cref="FileContentProblem.TooLarge"/>); the upload was aborted.</exception>
    /// <exception cref="InvalidOperationException">The parts hold fewer bytes than declared, none at all, or a part before the last is under 5 MiB; the upload was aborted.</exception>
    /// <exception cref="FileNotFoundException">There is no such upload: it was completed or aborted, or a lifecycle rule removed it.</exception>
    /// <exception cref="StorageUnavailableException">The store cannot be reached or refused the request.</exception>
    public async Task CompleteMultipartUploadAsync(string name, string uploadId, long expectedLength, CancellationToken cancellationToken = default)
    {
        string key = GetObjectKey(name);
        var parts = await ListPartsAsync(name, key, uploadId, cancellationToken).ConfigureAwait(false);
        long total = parts.Sum(p => p.Size ?? 0);
        int small = parts.FindIndex(p => p.Size < MinPartSize);
        string? refusal = parts.Count == 0 ? "no parts were uploaded"
            : total != expectedLength ? $"its {parts.Count} parts hold {total:N0} bytes, not the {expectedLength:N0} declared"
            : small >= 0 && small < parts.Count - 1 ? $"part {parts[small].PartNumber} has {parts[small].Size:N0} bytes, under S3's 5 MiB minimum for all parts but the last"
            : null;
        if (refusal is not null)
        {
            await AbortMultipartUploadAsync(name, uploadId, CancellationToken.None).ConfigureAwait(false);
            string message = $"Storage '{Name}' refused to complete the upload of '{name}': {refusal}. The upload was aborted and nothing was stored; upload the file again.";
            throw total > expectedLength ? new InvalidFileContentException(FileContentProblem.TooLarge, message) : new InvalidOperationException(message);
        }

        var request = new CompleteMultipartUploadRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = [.. parts.Select(p => new PartETag(p.PartNumber ?? 0, p.ETag))],
        };

        // A part replaced after the listing no longer matches its ETag here, and the store refuses the completion.
        await CallUploadAsync(name, uploadId, "CompleteMultipartUpload", key, ct => _client.CompleteMultipartUploadAsync(request, ct), cancellationToken, Options.RequestTimeout * CompleteTimeoutFactor).ConfigureAwait(false);
        Log.MultipartCompleted(Logger, Name, key, parts.Count, total);
    }

    /// <summary>Aborts a multipart upload: the store deletes its parts. An upload that no longer exists is not an error.</summary>
    /// <param name="name">The stored name the upload was started for.</param>
    /// <param name="uploadId">The id from <see cref="StartMultipartUploadAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="StorageUnavailableException">The store cannot be reached or refused the request.</exception>
    public async Task AbortMultipartUploadAsync(string name, string uploadId, CancellationToken cancellationToken = default)
    {
        string key = GetObjectKey(name);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        try
        {
            var request = new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId };
            await CallAsync("AbortMultipartUpload", key, ct => _client.AbortMultipartUploadAsync(request, ct), cancellationToken).ConfigureAwait(false);
            Log.MultipartAborted(Logger, Name, key, uploadId);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            // Already completed, aborted or expired: nothing is left of it either way.
        }
    }

    /// <summary>The signer of upload forms and part URLs: the one of the storage's presigned URLs.</summary>
    private SigV4Presigner UploadSigner => _presigner ?? throw new InvalidOperationException(
        $"Storage '{Name}' does not sign URLs (it is public, with QueryStringAuth off), so it cannot sign direct uploads either. Use a private storage for direct uploads.");

    private static void ValidateContentType(string contentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        if (contentType.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"The content type '{contentType}' must be printable ASCII (it is a header value).", nameof(contentType));
        }
    }

    private async Task<List<PartDetail>> ListPartsAsync(string name, string key, string uploadId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        var parts = new List<PartDetail>();
        int? marker = null;
        while (true)
        {
            var request = new ListPartsRequest { BucketName = _bucket, Key = key, UploadId = uploadId, PartNumberMarker = marker?.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var page = await CallUploadAsync(name, uploadId, "ListParts", key, ct => _client.ListPartsAsync(request, ct), cancellationToken).ConfigureAwait(false);
            parts.AddRange(page.Parts ?? []);
            if (page.IsTruncated != true || page.NextPartNumberMarker is not { } next)
            {
                break;
            }

            marker = next;
        }

        parts.Sort((a, b) => (a.PartNumber ?? 0).CompareTo(b.PartNumber ?? 0));
        return parts;
    }

    /// <summary>One request about an upload: a 404 (NoSuchUpload) says the upload is gone.</summary>
    private async Task<T> CallUploadAsync<T>(string name, string uploadId, string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        try
        {
            return await CallAsync(operation, key, (RequestDeadline deadline) => call(deadline.Token), cancellationToken, timeout).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            throw new FileNotFoundException(
                $"Storage '{Name}' has no multipart upload '{uploadId}' of '{name}': it was completed or aborted, or a lifecycle rule removed it. Start a new upload.", name, ex);
        }
    }
}
