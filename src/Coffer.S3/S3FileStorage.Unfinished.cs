using Amazon.S3.Model;

namespace Coffer.S3;

// Unfinished uploads on S3. A multipart upload first claims its name with an empty reservation object (marked with
// the metadata `coffer-reservation`), then uploads its parts, then completes over the reservation. A process killed
// in between leaves the reservation and an unfinished multipart upload whose parts S3 keeps (and bills) until they
// are aborted. Every contract member treats a reservation as absent; this sweep removes both.
public sealed partial class S3FileStorage
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<string>> SweepUnfinishedCoreAsync(DateTimeOffset startedBefore, bool dryRun, CancellationToken cancellationToken)
    {
        string prefix = Location.Length == 0 ? "" : Location + "/";
        var removed = new List<string>();

        // Parts first: an aborted upload can no longer complete over its reservation.
        string? keyMarker = null, uploadIdMarker = null;
        do
        {
            var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = prefix, KeyMarker = keyMarker, UploadIdMarker = uploadIdMarker };
            var page = await CallAsync("LIST UPLOADS", prefix, ct => _client.ListMultipartUploadsAsync(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (upload.Initiated is not { } initiated || new DateTimeOffset(initiated.ToUniversalTime(), TimeSpan.Zero) >= startedBefore)
                {
                    continue;
                }

                if (!dryRun)
                {
                    var abort = new AbortMultipartUploadRequest { BucketName = _bucket, Key = upload.Key, UploadId = upload.UploadId };
                    await CallAsync("ABORT", upload.Key, ct => _client.AbortMultipartUploadAsync(abort, ct), cancellationToken).ConfigureAwait(false);
                }

                removed.Add($"{upload.Key} (multipart upload {upload.UploadId})");
            }

            keyMarker = page.IsTruncated == true ? page.NextKeyMarker : null;
            uploadIdMarker = page.IsTruncated == true ? page.NextUploadIdMarker : null;
        }
        while (keyMarker is not null);

        // Then reservations: empty objects marked as such, older than the cutoff.
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, ContinuationToken = continuation };
            var page = await CallAsync("LIST", prefix, ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                if (item.Size != 0 || item.LastModified is not { } modified || new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) >= startedBefore
                    || !await IsReservationAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (!dryRun)
                {
                    var delete = new DeleteObjectRequest { BucketName = _bucket, Key = item.Key };
                    await CallAsync("DELETE", item.Key, ct => _client.DeleteObjectAsync(delete, ct), cancellationToken).ConfigureAwait(false);
                }

                removed.Add($"{item.Key} (name reservation)");
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        return removed;
    }

    /// <summary>Whether a key holds a name reservation (an unfinished upload) rather than a file. Only empty objects can.</summary>
    private async Task<bool> IsReservationAsync(string key, CancellationToken cancellationToken) =>
        await HeadAsync(key, cancellationToken).ConfigureAwait(false) is { } head && IsReservation(head.Metadata);
}
