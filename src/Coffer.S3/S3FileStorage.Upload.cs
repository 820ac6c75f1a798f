using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Coffer.S3;

// How a save works
// ----------------
// Small content (at most MultipartThreshold bytes) goes up as ONE PutObject. Without overwrite it carries
// `If-None-Match: *`: the store writes the object only if the key does not exist, else answers 412, and the next
// name is tried. The decision is the store's, atomic, so 50 concurrent saves of one name get 50 names. A retry
// needs the bytes again: seekable content is rewound to where it started, non-seekable content was buffered (it is
// small: at most one part). Nothing else is buffered.
//
// Large content goes up as a multipart upload with at most MultipartConcurrency parts of MultipartPartSize in
// memory. Claiming its name race-free is harder: AWS S3 honours `If-None-Match: *` on CompleteMultipartUpload, but
// Ceph RGW 16 (and other stores) ignore it there and on CopyObject, and silently overwrite (checked against RGW: a
// conditional complete replaced an existing object). And a 412 at the end would come too late for non-seekable
// content, which cannot be sent again under another name. So the name is claimed FIRST, with the same race-free
// conditional PUT, of an empty "reservation" object marked with the metadata `coffer-reservation`; the multipart
// upload then completes over the reservation (with `If-Match: <its ETag>`, which AWS checks and RGW ignores).
// Coffer treats a reservation as missing (Exists is false, OpenRead throws FileNotFoundException), so no reader
// sees half a file; a failed or cancelled upload is aborted (no parts left behind) and its reservation deleted.
// Only a process that dies mid-upload leaves an empty reservation object (and, without a bucket lifecycle rule,
// the parts it had sent).
public sealed partial class S3FileStorage
{
    /// <summary>Non-seekable content is first read into a buffer of this size; most uploads end within it.</summary>
    private const int SmallBufferSize = 256 * 1024;

    /// <inheritdoc />
    protected override async Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken)
    {
        string contentType = ContentTypes.Resolve(names.First, options.ContentType);
        int partSize = Options.MultipartPartSize;
        if (content.CanSeek)
        {
            long start = content.Position;
            long length = content.Length - start;
            if (length <= Options.MultipartThreshold)
            {
                return await PutAsync(names, () => Rewind(content, start), length, contentType, cancellationToken).ConfigureAwait(false);
            }

            using var part = new PartBuffer(_partBuffers, partSize);
            await part.FillAsync(content, partSize, cancellationToken).ConfigureAwait(false);
            return await SaveMultipartAsync(names, content, part, contentType, cancellationToken).ConfigureAwait(false);
        }

        // Non-seekable: read a small buffer first; most uploads end within it and go up as one PUT.
        PartBuffer first;
        using (var small = new PartBuffer(ArrayPool<byte>.Shared, SmallBufferSize))
        {
            await small.FillAsync(content, SmallBufferSize, cancellationToken).ConfigureAwait(false);
            if (small.Count < SmallBufferSize && small.Count <= Options.MultipartThreshold)
            {
                return await PutAsync(names, small.OpenRead, small.Count, contentType, cancellationToken).ConfigureAwait(false);
            }

            // Larger: continue into a part buffer; up to one part is read before deciding.
            first = new PartBuffer(_partBuffers, partSize);
            small.CopyTo(first);
        }

        using (first)
        {
            await first.FillAsync(content, partSize, cancellationToken).ConfigureAwait(false);
            if (first.Count < partSize && first.Count <= Options.MultipartThreshold)
            {
                return await PutAsync(names, first.OpenRead, first.Count, contentType, cancellationToken).ConfigureAwait(false);
            }

            return await SaveMultipartAsync(names, content, first, contentType, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One PUT of content of known length, under the first free name: with <c>If-None-Match: *</c> (or a HEAD
    /// first, for <see cref="S3UniqueNameStrategy.CheckThenPut"/>), retried under the next name while taken.
    /// </summary>
    private async Task<string> PutAsync(AvailableNames names, Func<Stream> body, long length, string contentType, CancellationToken cancellationToken)
    {
        string candidate = names.First;
        bool conditional = !names.Overwrite && Options.UniqueNameStrategy == S3UniqueNameStrategy.ConditionalPut;
        while (true)
        {
            if (!names.Overwrite && !conditional)
            {
                candidate = await FirstUnusedByHeadAsync(names, candidate, cancellationToken).ConfigureAwait(false);
            }

            string key = GetFullKey(candidate);
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                AutoCloseStream = false,
                AutoResetStreamPosition = false,
                UseChunkEncoding = _isAws,
            };
            request.Headers.ContentLength = length;
            _objectParameters.ApplyTo(request.Headers, request.Metadata, contentType);
            if (conditional)
            {
                request.IfNoneMatch = "*";
            }

            try
            {
                await CallAsync("PUT", key, (RequestDeadline deadline) =>
                {
                    request.InputStream = deadline.Watch(body());
                    return _client.PutObjectAsync(request, deadline.Token);
                }, cancellationToken).ConfigureAwait(false);
                return candidate;
            }
            catch (AmazonS3Exception ex) when (conditional && S3Errors.IsConditionalConflict(ex))
            {
                // AWS: another conditional write of this key was in flight; try the same name again.
            }
            catch (AmazonS3Exception ex) when (conditional && S3Errors.IsPreconditionFailed(ex))
            {
                candidate = NextName(names, candidate);
            }
        }
    }

    /// <summary>
    /// Claims a name for a multipart upload of <paramref name="content"/>, whose first part is already in
    /// <paramref name="first"/>, uploads it, and undoes everything if the upload fails.
    /// </summary>
    private async Task<string> SaveMultipartAsync(AvailableNames names, Stream content, PartBuffer first, string contentType, CancellationToken cancellationToken)
    {
        string candidate = names.First;
        string? reservationETag = null;
        if (!names.Overwrite)
        {
            if (Options.UniqueNameStrategy == S3UniqueNameStrategy.ConditionalPut)
            {
                (candidate, reservationETag) = await ReserveAsync(names, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                candidate = await FirstUnusedByHeadAsync(names, candidate, cancellationToken).ConfigureAwait(false);
            }
        }

        string key = GetFullKey(candidate);
        try
        {
            using var upload = await MultipartUpload.StartAsync(this, key, contentType, cancellationToken).ConfigureAwait(false);
            // Completes over our own reservation only (AWS checks If-Match; stores that ignore it are no worse off).
            await upload.UploadAsync(content, first, reservationETag).ConfigureAwait(false);
            return candidate;
        }
        catch when (reservationETag is not null)
        {
            await DeleteReservationAsync(key).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Claims the first free name with a conditional PUT of an empty, marked object.</summary>
    private async Task<(string Name, string ETag)> ReserveAsync(AvailableNames names, CancellationToken cancellationToken)
    {
        string candidate = names.First;
        while (true)
        {
            string key = GetFullKey(candidate);
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = new MemoryStream([], writable: false),
                IfNoneMatch = "*",
                UseChunkEncoding = false,
            };
            request.Headers.ContentLength = 0;
            request.Metadata.Add(ReservationMetadataKey, "upload in progress");
            try
            {
                var response = await CallAsync("PUT", key, ct => _client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
                return (candidate, response.ETag);
            }
            catch (AmazonS3Exception ex) when (S3Errors.IsConditionalConflict(ex))
            {
                // Try the same name again.
            }
            catch (AmazonS3Exception ex) when (S3Errors.IsPreconditionFailed(ex))
            {
                candidate = NextName(names, candidate);
            }
        }
    }

    private async Task DeleteReservationAsync(string key)
    {
        try
        {
            // Not cancellable (it cleans up after a cancellation too), but bounded by the request timeout.
            await CallAsync("DELETE", key, ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, ct), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.IsRequestFailure(ex))
        {
            Log.ReservationLeft(Logger, ex, Name, key);
        }
    }

    /// <summary>For <see cref="S3UniqueNameStrategy.CheckThenPut"/>: the first name, from <paramref name="candidate"/> on, that HEAD says is free.</summary>
    private async Task<string> FirstUnusedByHeadAsync(AvailableNames names, string candidate, CancellationToken cancellationToken)
    {
        while (await HeadAsync(GetFullKey(candidate), cancellationToken).ConfigureAwait(false) is not null)
        {
            candidate = NextName(names, candidate);
        }

        return candidate;
    }

    private string NextName(AvailableNames names, string taken)
    {
        string next = names.Next();
        Log.NameTaken(Logger, Name, taken, next);
        return next;
    }

    private static Stream Rewind(Stream content, long start)
    {
        content.Position = start;
        return content;
    }
}
