using System.Runtime.ExceptionServices;
using Amazon.S3.Model;

namespace Coffer.S3;

public sealed partial class S3FileStorage
{
    /// <summary>S3 accepts at most this many parts in one multipart upload.</summary>
    private const int MaxParts = 10_000;

    /// <summary>CompleteMultipartUpload may take this many request timeouts (5 minutes by default).</summary>
    private const int CompleteTimeoutFactor = 10;

    /// <summary>
    /// One multipart upload, from its start to its completion or abort. It owns what its parts share: the slots that
    /// bound how many parts (and so part buffers) are in flight, the cancellation that the first failed part uses to
    /// stop the others, and the list of part requests that must all have ended before the upload is aborted.
    /// </summary>
    private sealed class MultipartUpload : IDisposable
    {
        private readonly S3FileStorage _storage;
        private readonly CancellationToken _cancellationToken;
        private readonly SemaphoreSlim _slots;
        private readonly CancellationTokenSource _failure;
        private readonly List<Task<PartETag>> _parts = [];
        private long _length;

        private MultipartUpload(S3FileStorage storage, string key, string uploadId, CancellationToken cancellationToken)
        {
            _storage = storage;
            Key = key;
            UploadId = uploadId;
            _cancellationToken = cancellationToken;
            _slots = new SemaphoreSlim(storage.Options.MultipartConcurrency);
            _failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public string Key { get; }

        public string UploadId { get; }

        /// <summary>Starts a multipart upload of <paramref name="key"/> with the storage's object parameters.</summary>
        public static async Task<MultipartUpload> StartAsync(S3FileStorage storage, string key, string contentType, CancellationToken cancellationToken)
        {
            var request = new InitiateMultipartUploadRequest { BucketName = storage._bucket, Key = key };
            storage._objectParameters.ApplyTo(request.Headers, request.Metadata, contentType);
            var response = await storage.CallAsync("CreateMultipartUpload", key, ct => storage._client.InitiateMultipartUploadAsync(request, ct), cancellationToken).ConfigureAwait(false);
            Log.MultipartStarted(storage.Logger, storage.Name, key, response.UploadId);
            return new MultipartUpload(storage, key, response.UploadId, cancellationToken);
        }

        /// <summary>
        /// Sends <paramref name="first"/> and the rest of <paramref name="content"/> as parts, and completes the
        /// upload (with <c>If-Match: <paramref name="ifMatch"/></c> when given). On any failure or cancellation the
        /// upload is aborted after its part requests have stopped, and the first real failure is thrown.
        /// </summary>
        public async Task UploadAsync(Stream content, PartBuffer first, string? ifMatch)
        {
            try
            {
                await SendPartsAsync(content, first).ConfigureAwait(false);
                var etags = await Task.WhenAll(_parts).ConfigureAwait(false);
                await CompleteAsync(etags, ifMatch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await AbortAsync().ConfigureAwait(false);
                if (ex is OperationCanceledException && !_cancellationToken.IsCancellationRequested
                    && _parts.FirstOrDefault(p => p.IsFaulted)?.Exception?.InnerException is { } cause)
                {
                    // A part failed and cancelled the rest: report the failure, not the cancellation it caused.
                    ExceptionDispatchInfo.Throw(cause);
                }

                throw;
            }
        }

        public void Dispose()
        {
            _slots.Dispose();
            _failure.Dispose();
        }

        /// <summary>
        /// Reads parts one after another and starts each one's request; a part holds a slot (and its buffer) from
        /// the time it is read until it is sent, so no more than MultipartConcurrency parts are ever in memory.
        /// </summary>
        private async Task SendPartsAsync(Stream content, PartBuffer first)
        {
            int partSize = _storage.Options.MultipartPartSize;
            bool more = first.Count == partSize;
            _slots.Wait(0); // free: nothing has entered yet
            Send(first.Move(_slots));
            while (more)
            {
                await _slots.WaitAsync(_failure.Token).ConfigureAwait(false);
                using var part = new PartBuffer(_storage._partBuffers, partSize, _slots);
                if (await part.FillAsync(content, partSize, _failure.Token).ConfigureAwait(false) == 0)
                {
                    break; // the content ended exactly at a part boundary
                }

                more = part.Count == partSize;
                Send(part.Move());
            }
        }

        /// <summary>Starts the request of the next part, which from then on owns <paramref name="part"/>.</summary>
        private void Send(PartBuffer part)
        {
            int partNumber = _parts.Count + 1;
            if (partNumber > MaxParts)
            {
                part.Dispose();
                throw new InvalidFileContentException(FileContentProblem.TooLarge,
                    $"The file is larger than S3's {MaxParts:N0} parts of {_storage.Options.MultipartPartSize:N0} bytes (MultipartPartSize). Raise MultipartPartSize for storage '{_storage.Name}'.");
            }

            _length += part.Count;
            _parts.Add(UploadPartAsync(partNumber, part));
        }

        private async Task<PartETag> UploadPartAsync(int partNumber, PartBuffer part)
        {
            using (part)
            using (var span = S3Telemetry.StartPart(_storage.Name, partNumber, part.Count))
            {
                try
                {
                    var request = new UploadPartRequest
                    {
                        BucketName = _storage._bucket,
                        Key = Key,
                        UploadId = UploadId,
                        PartNumber = partNumber,
                        PartSize = part.Count,
                        UseChunkEncoding = _storage._isAws,
                    };
                    var response = await _storage.CallAsync("UploadPart", Key, (RequestDeadline deadline) =>
                    {
                        request.InputStream = deadline.Watch(part.OpenRead());
                        return _storage._client.UploadPartAsync(request, deadline.Token);
                    }, _failure.Token).ConfigureAwait(false);
                    return new PartETag(partNumber, response.ETag);
                }
                catch (Exception ex)
                {
                    S3Telemetry.Failed(span, ex);
                    await _failure.CancelAsync().ConfigureAwait(false); // stop reading and sending the other parts
                    throw;
                }
            }
        }

        private async Task CompleteAsync(PartETag[] etags, string? ifMatch)
        {
            var request = new CompleteMultipartUploadRequest { BucketName = _storage._bucket, Key = Key, UploadId = UploadId, PartETags = [.. etags] };
            if (ifMatch is not null)
            {
                request.IfMatch = ifMatch;
            }

            // Assembling a large object can take AWS minutes; it answers at once and keeps the connection alive with
            // whitespace while it works, which the SDK reads unseen, so this call gets a longer, fixed bound.
            var timeout = _storage.Options.RequestTimeout * CompleteTimeoutFactor;
            await _storage.CallAsync("CompleteMultipartUpload", Key, (RequestDeadline deadline) => _storage._client.CompleteMultipartUploadAsync(request, deadline.Token), _failure.Token, timeout).ConfigureAwait(false);
            Log.MultipartCompleted(_storage.Logger, _storage.Name, Key, etags.Length, _length);
        }

        private async Task AbortAsync()
        {
            await _failure.CancelAsync().ConfigureAwait(false);

            // Let every part request finish (or stop) first, or a part could land after the abort and stay.
            try
            {
                await Task.WhenAll(_parts).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Their failures are reported by UploadAsync.
            }

            try
            {
                // Not cancellable (it cleans up after a cancellation), but bounded by the request timeout.
                var request = new AbortMultipartUploadRequest { BucketName = _storage._bucket, Key = Key, UploadId = UploadId };
                await _storage.CallAsync("AbortMultipartUpload", Key, ct => _storage._client.AbortMultipartUploadAsync(request, ct), CancellationToken.None).ConfigureAwait(false);
                Log.MultipartAborted(_storage.Logger, _storage.Name, Key, UploadId);
            }
            catch (Exception ex) when (S3Errors.IsRequestFailure(ex))
            {
                Log.AbortFailed(_storage.Logger, ex, _storage.Name, Key, UploadId);
            }
        }
    }
}
