using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3.Presigning;

namespace Coffer.S3;

// The S3 side of direct uploads (docs/direct-uploads.md): a client sends the bytes straight to the store, under a name
// and limits the server chose and signed. Up to MultipartThreshold bytes go up as one signed form (POST Object, its
// policy binding the key, type, length range and object parameters); larger files as a multipart upload the server
// starts, whose parts the client PUTs to URLs each signed for its number and exact length, and which the server
// completes from the store's own list of parts (never from ETags a client reports).
public sealed partial class S3FileStorage
{
    /// <inheritdoc />
    /// <remarks>Only a storage that signs URLs (private, or public with QueryStringAuth): the form and the part URLs are signed with its presigner.</remarks>
    public override bool SupportsDirectUploads => _presigner is not null;

    /// <inheritdoc />
    /// <remarks>
    /// Up to <see cref="S3FileStorageOptions.MultipartThreshold"/> bytes: a form whose policy binds the exact key, the
    /// content type, the storage's ACL, encryption, Cache-Control, Content-Disposition and metadata, and a length of at
    /// most <paramref name="length"/> (at least 1 unless <see cref="FileStorageOptions.AllowEmptyFiles"/>). Larger: a
    /// multipart upload started with the same object parameters, in parts of <see cref="S3FileStorageOptions.MultipartPartSize"/>
    /// (more when the file would need over 10,000). A form and part URLs are signed for <see cref="S3FileStorageOptions.PublicEndpoint"/>
    /// when set; the bucket needs a CORS rule for the page's origin (docs/s3.md).
    /// </remarks>
    protected override async Task<DirectUploadPlan> StartDirectUploadCoreAsync(string name, long length, string contentType, TimeSpan expiry, CancellationToken cancellationToken)
    {
        string key = GetFullKey(name);
        ValidateContentType(contentType);
        if (length <= Options.MultipartThreshold)
        {
            // A POST replaces any object under the key (POST Object has no If-None-Match): the name's random token keeps it this upload's own.
            var form = S3PostPolicy.Create(UploadSigner, key, Options.AllowEmptyFiles ? 0 : 1, length, contentType, [.. _objectParameters.FormFields()], TimeProvider.GetUtcNow(), expiry);
            return DirectUploadPlan.Form(form.Url, form.Fields);
        }

        long partSize = DirectUploadPlan.ChoosePartSize(length, Options.MultipartPartSize);
        if (partSize > S3FileStorageOptions.MaxPartSize)
        {
            throw new InvalidFileContentException(FileContentProblem.TooLarge,
                $"A file of {length:N0} bytes needs parts of {partSize:N0} bytes to fit S3's {DirectUploadPlan.MaxParts:N0} parts, over S3's largest part ({S3FileStorageOptions.MaxPartSize:N0} bytes); storage '{Name}' cannot take it.");
        }

        using var upload = await MultipartUpload.StartAsync(this, key, contentType, cancellationToken).ConfigureAwait(false);
        return DirectUploadPlan.Parts(upload.UploadId, length, partSize);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>Content-Length</c> is a signed header (<c>X-Amz-SignedHeaders=content-length;host</c>): the store refuses a body
    /// of any other length. The client may read the part's ETag from the answer (with a CORS rule exposing it); completion
    /// does not use it.
    /// </remarks>
    protected override FileUrl GetDirectUploadPartUrlCore(string name, string uploadId, int partNumber, long partLength, TimeSpan expiry)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partLength, S3FileStorageOptions.MaxPartSize);
        return UploadSigner.PresignUploadPart(GetFullKey(name), uploadId, partNumber, partLength, TimeProvider.GetUtcNow(), expiry);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<UploadedPart>> ListDirectUploadPartsCoreAsync(string name, string uploadId, CancellationToken cancellationToken)
    {
        var parts = await ListPartsAsync(name, GetFullKey(name), uploadId, cancellationToken).ConfigureAwait(false);
        return [.. parts.Select(p => new UploadedPart(p.PartNumber ?? 0, p.Size ?? 0))];
    }

    /// <inheritdoc />
    /// <remarks>
    /// Fewer bytes than declared keep the upload as it is, for the client to send the missing parts; more bytes, or a
    /// part before the last under S3's 5 MiB minimum (which S3 would refuse to complete), abort it. An object already
    /// under the key (a HEAD just before completing; RGW ignores <c>If-None-Match</c> on completion, so a write between
    /// the two is not caught) refuses the completion and aborts the upload: names carry a random token, so this guards
    /// against bugs, not against other clients. A name reservation counts as an object here, though readers see none:
    /// its upload completes over whatever is under the key when it ends.
    /// </remarks>
    protected override async Task CompleteDirectUploadCoreAsync(string name, string uploadId, long length, CancellationToken cancellationToken)
    {
        string key = GetFullKey(name);
        var parts = await ListPartsAsync(name, key, uploadId, cancellationToken).ConfigureAwait(false);
        long total = parts.Sum(p => p.Size ?? 0);
        if (total < length)
        {
            throw new UploadTicketException(UploadTicketProblem.Incomplete,
                $"The upload is not complete: the store holds {parts.Count:N0} parts with {total:N0} of the {length:N0} bytes declared. Send the missing parts, then complete again.");
        }

        int small = parts.FindIndex(p => p.Size < S3FileStorageOptions.MinPartSize);
        if (total > length)
        {
            await AbortRefusedAsync(name, uploadId).ConfigureAwait(false);
            throw new InvalidFileContentException(FileContentProblem.TooLarge,
                $"Storage '{Name}' refused to complete the upload of '{name}': its {parts.Count:N0} parts hold {total:N0} bytes, more than the {length:N0} declared. The upload was aborted and nothing was stored; upload the file again.");
        }

        if (small >= 0 && small < parts.Count - 1)
        {
            await AbortRefusedAsync(name, uploadId).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"Storage '{Name}' refused to complete the upload of '{name}': part {parts[small].PartNumber} has {parts[small].Size:N0} bytes, under S3's 5 MiB minimum for every part but the last. The upload was aborted and nothing was stored; upload the file again in parts of the planned size.");
        }

        if (await HeadAsync(key, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            await AbortRefusedAsync(name, uploadId).ConfigureAwait(false);
            Log.DirectUploadOverExisting(Logger, Name, key, IsReservation(existing.Metadata));
            throw new IOException(
                $"Storage '{Name}' refused to complete the upload of '{name}': {(IsReservation(existing.Metadata) ? "another upload has claimed the name" : "a file is already stored under the name")}, and completing would replace it. The upload was aborted; the other file is untouched. Start the upload again under a new name (GetSaveName).");
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

    /// <inheritdoc />
    /// <remarks>Without an upload id (the ledger sweep knows only the name), every unfinished multipart upload of exactly the name's key is aborted.</remarks>
    protected override async Task AbortDirectUploadCoreAsync(string name, string? uploadId, CancellationToken cancellationToken)
    {
        string key = GetFullKey(name);
        if (uploadId is not null)
        {
            await AbortUploadAsync(key, uploadId, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The prefix also matches longer keys (a/b.txt matches a/b.txt.bak), so each upload's key is compared.
        string? keyMarker = null, uploadIdMarker = null;
        do
        {
            var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = key, KeyMarker = keyMarker, UploadIdMarker = uploadIdMarker };
            var page = await CallAsync("ListMultipartUploads", key, ct => _client.ListMultipartUploadsAsync(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (string.Equals(upload.Key, key, StringComparison.Ordinal))
                {
                    await AbortUploadAsync(key, upload.UploadId, cancellationToken).ConfigureAwait(false);
                }
            }

            keyMarker = page.IsTruncated == true ? page.NextKeyMarker : null;
            uploadIdMarker = page.IsTruncated == true ? page.NextUploadIdMarker : null;
        }
        while (keyMarker is not null);
    }

    /// <summary>Aborts one multipart upload: the store deletes its parts. An upload that no longer exists is not an error.</summary>
    private async Task AbortUploadAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
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

    /// <summary>Aborts an upload whose completion is refused; not cancellable (the refusal must leave nothing), but bounded by the request timeout.</summary>
    private Task AbortRefusedAsync(string name, string uploadId) => AbortUploadAsync(GetFullKey(name), uploadId, CancellationToken.None);

    /// <summary>The signer of upload forms and part URLs: the one of the storage's presigned URLs.</summary>
    private SigV4Presigner UploadSigner => _presigner ?? throw new InvalidOperationException(
        $"Storage '{Name}' does not sign URLs (it is public, with QueryStringAuth off), so it cannot sign direct uploads either. Use a private storage for direct uploads.");

    private static void ValidateContentType(string contentType)
    {
        if (contentType.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"The content type '{contentType}' must be printable ASCII (it is a header value).", nameof(contentType));
        }
    }

    private async Task<List<PartDetail>> ListPartsAsync(string name, string key, string uploadId, CancellationToken cancellationToken)
    {
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
