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
    /// <summary>S3 accepts at most this many parts in one multipart upload.</summary>
    private const int MaxParts = 10_000;

    /// <summary>Non-seekable content is first read into a buffer of this size; most uploads end within it.</summary>
    private const int SmallBufferSize = 256 * 1024;

    /// <inheritdoc />
    protected override async Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken)
    {
        string contentType = ContentTypes.Resolve(names.First, options.ContentType);
        if (content.CanSeek)
        {
            long start = content.Position;
            long length = content.Length - start;
            if (length <= Options.MultipartThreshold)
            {
                return await PutAsync(names, () => Rewind(content, start), length, contentType, cancellationToken).ConfigureAwait(false);
            }

            byte[] part = _partBuffers.Rent(Options.MultipartPartSize);
            int count;
            try
            {
                count = await FillAsync(content, part, 0, Options.MultipartPartSize, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _partBuffers.Return(part);
                throw;
            }

            return await SaveMultipartAsync(names, content, part, count, contentType, cancellationToken).ConfigureAwait(false);
        }

        // Non-seekable: read a small buffer first; most uploads end within it and go up as one PUT.
        byte[] small = ArrayPool<byte>.Shared.Rent(SmallBufferSize);
        byte[]? first = null;
        try
        {
            int read = await FillAsync(content, small, 0, SmallBufferSize, cancellationToken).ConfigureAwait(false);
            if (read < SmallBufferSize && read <= Options.MultipartThreshold)
            {
                return await PutAsync(names, () => new MemoryStream(small, 0, read, writable: false), read, contentType, cancellationToken).ConfigureAwait(false);
            }

            // Larger: continue into a part buffer; up to one part is read before deciding.
            first = _partBuffers.Rent(Options.MultipartPartSize);
            small.AsSpan(0, read).CopyTo(first);
            ArrayPool<byte>.Shared.Return(small);
            small = null!;
            int count = read + await FillAsync(content, first, read, Options.MultipartPartSize - read, cancellationToken).ConfigureAwait(false);
            if (count < Options.MultipartPartSize && count <= Options.MultipartThreshold)
            {
                try
                {
                    return await PutAsync(names, () => new MemoryStream(first, 0, count, writable: false), count, contentType, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _partBuffers.Return(first);
                    first = null;
                }
            }

            byte[] handOver = first!;
            first = null; // the multipart upload returns it
            return await SaveMultipartAsync(names, content, handOver, count, contentType, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (small is not null)
            {
                ArrayPool<byte>.Shared.Return(small);
            }

            if (first is not null)
            {
                _partBuffers.Return(first);
            }
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
                InputStream = body(),
                AutoCloseStream = false,
                AutoResetStreamPosition = false,
                UseChunkEncoding = _isAws,
            };
            request.Headers.ContentLength = length;
            ApplyObjectParameters(request, contentType);
            if (conditional)
            {
                request.IfNoneMatch = "*";
            }

            try
            {
                await CallAsync("PUT", key, ct => _client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
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

    /// <summary>Claims a name for a multipart upload, uploads, and undoes everything if the upload fails.</summary>
    private async Task<string> SaveMultipartAsync(AvailableNames names, Stream content, byte[] first, int firstCount, string contentType, CancellationToken cancellationToken)
    {
        string candidate = names.First;
        string? reservationETag = null;
        try
        {
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
        }
        catch
        {
            _partBuffers.Return(first);
            throw;
        }

        string key = GetFullKey(candidate);
        try
        {
            await UploadMultipartAsync(key, content, first, firstCount, contentType, reservationETag, cancellationToken).ConfigureAwait(false);
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
            // Not cancellable: it cleans up after a cancellation too.
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            Log.ReservationLeft(Logger, ex, Name, key);
        }
    }

    /// <summary>
    /// A multipart upload of <paramref name="content"/>, whose first part is already in <paramref name="first"/>.
    /// Parts are read one after another and sent <see cref="S3FileStorageOptions.MultipartConcurrency"/> at a time;
    /// each holds one buffer from the time it is read until it is sent, so the upload never holds more than that
    /// many parts in memory. On any failure or cancellation the upload is aborted after its parts have stopped.
    /// </summary>
    private async Task UploadMultipartAsync(string key, Stream content, byte[] first, int firstCount, string contentType, string? reservationETag, CancellationToken cancellationToken)
    {
        var start = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key, ContentType = contentType };
        ApplyObjectParameters(start);
        InitiateMultipartUploadResponse initiated;
        try
        {
            initiated = await CallAsync("CreateMultipartUpload", key, ct => _client.InitiateMultipartUploadAsync(start, ct), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _partBuffers.Return(first);
            throw;
        }

        string uploadId = initiated.UploadId;
        Log.MultipartStarted(Logger, Name, key, uploadId);
        int partSize = Options.MultipartPartSize;
        using var slots = new SemaphoreSlim(Options.MultipartConcurrency - 1); // the first part holds one slot already
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parts = new List<Task<PartETag>>();
        byte[]? buffer = first;
        int count = firstCount;
        long total = 0;
        try
        {
            for (int partNumber = 1; ; partNumber++)
            {
                if (partNumber > MaxParts)
                {
                    throw new InvalidFileContentException(FileContentProblem.TooLarge,
                        $"The file is larger than S3's {MaxParts:N0} parts of {partSize:N0} bytes (MultipartPartSize). Raise MultipartPartSize for storage '{Name}'.");
                }

                total += count;
                parts.Add(UploadPartAsync(key, uploadId, partNumber, buffer, count, slots, failure));
                buffer = null;
                if (count < partSize)
                {
                    break; // the content ended within this part
                }

                await slots.WaitAsync(failure.Token).ConfigureAwait(false);
                buffer = _partBuffers.Rent(partSize);
                count = await FillAsync(content, buffer, 0, partSize, failure.Token).ConfigureAwait(false);
                if (count == 0)
                {
                    _partBuffers.Return(buffer);
                    buffer = null;
                    slots.Release();
                    break;
                }
            }

            var etags = await Task.WhenAll(parts).ConfigureAwait(false);
            var complete = new CompleteMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId, PartETags = [.. etags] };
            if (reservationETag is not null)
            {
                // Replace only our own reservation (AWS checks this; stores that ignore it are no worse off).
                complete.IfMatch = reservationETag;
            }

            await CallAsync("CompleteMultipartUpload", key, ct => _client.CompleteMultipartUploadAsync(complete, ct), failure.Token).ConfigureAwait(false);
            Log.MultipartCompleted(Logger, Name, key, etags.Length, total);
        }
        catch (Exception ex)
        {
            await failure.CancelAsync().ConfigureAwait(false);
            if (buffer is not null)
            {
                _partBuffers.Return(buffer);
            }

            // Let every part request finish (or stop) first, or a part could land after the abort and stay.
            try
            {
                await Task.WhenAll(parts).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Their failures are reported below.
            }

            await AbortAsync(key, uploadId).ConfigureAwait(false);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                && parts.FirstOrDefault(p => p.IsFaulted)?.Exception?.InnerException is { } cause)
            {
                // A part failed and cancelled the rest: report the failure, not the cancellation it caused.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int count, SemaphoreSlim slots, CancellationTokenSource failure)
    {
        try
        {
            var request = new UploadPartRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                PartSize = count,
                InputStream = new MemoryStream(buffer, 0, count, writable: false),
                UseChunkEncoding = _isAws,
            };
            var response = await CallAsync("UploadPart", key, ct => _client.UploadPartAsync(request, ct), failure.Token).ConfigureAwait(false);
            return new PartETag(partNumber, response.ETag);
        }
        catch
        {
            await failure.CancelAsync().ConfigureAwait(false); // stop reading and sending the other parts
            throw;
        }
        finally
        {
            _partBuffers.Return(buffer);
            slots.Release();
        }
    }

    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            // Not cancellable: it cleans up after a cancellation.
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
            Log.MultipartAborted(Logger, Name, key, uploadId);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
        {
            Log.AbortFailed(Logger, ex, Name, key, uploadId);
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

    private void ApplyObjectParameters(PutObjectRequest request, string contentType)
    {
        request.ContentType = contentType;
        if (_acl is not null)
        {
            request.CannedACL = _acl;
        }

        if (Options.ServerSideEncryption is { } sse)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(sse);
            request.ServerSideEncryptionKeyManagementServiceKeyId = Options.ServerSideEncryptionKeyId;
        }

        ApplyObjectHeaders(request.Headers, request.Metadata);
    }

    private void ApplyObjectParameters(InitiateMultipartUploadRequest request)
    {
        if (_acl is not null)
        {
            request.CannedACL = _acl;
        }

        if (Options.ServerSideEncryption is { } sse)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(sse);
            request.ServerSideEncryptionKeyManagementServiceKeyId = Options.ServerSideEncryptionKeyId;
        }

        ApplyObjectHeaders(request.Headers, request.Metadata);
    }

    // The SDK's request types share no base for ACL and encryption, but they do share these two collections.
    private void ApplyObjectHeaders(HeadersCollection headers, MetadataCollection metadata)
    {
        if (Options.CacheControl is { } cacheControl)
        {
            headers.CacheControl = cacheControl;
        }

        if (Options.ContentDisposition is { } disposition)
        {
            headers.ContentDisposition = disposition;
        }

        foreach (var (key, value) in Options.Metadata)
        {
            metadata.Add(key, value);
        }
    }

    private static Stream Rewind(Stream content, long start)
    {
        content.Position = start;
        return content;
    }

    /// <summary>Reads until <paramref name="count"/> bytes are in <paramref name="buffer"/> or the content ends.</summary>
    private static async Task<int> FillAsync(Stream content, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < count)
        {
            int read = await content.ReadAsync(buffer.AsMemory(offset + total, count - total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
