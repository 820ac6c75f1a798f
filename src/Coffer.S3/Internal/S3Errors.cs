using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Coffer.S3;

/// <summary>
/// Turns what the AWS SDK throws into Coffer's exceptions, with messages that say what to check. Cancellation by
/// the caller's token and Coffer's own exceptions pass through unchanged.
/// </summary>
internal static class S3Errors
{
    public static bool IsPreconditionFailed(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.PreconditionFailed || ex.ErrorCode == "PreconditionFailed";

    /// <summary>AWS answers 409 ConditionalRequestConflict when two conditional writes of one key overlap; retrying is right.</summary>
    public static bool IsConditionalConflict(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.Conflict && ex.ErrorCode == "ConditionalRequestConflict";

    /// <summary>What a request can fail with once <see cref="Translate"/> has run: for clean-ups that log and go on.</summary>
    public static bool IsRequestFailure(Exception ex) =>
        ex is StorageUnavailableException or UnauthorizedAccessException or AmazonServiceException or HttpRequestException or IOException or OperationCanceledException;

    public static bool IsNotFound(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket";

    /// <summary>
    /// The exception to throw instead of <paramref name="exception"/>, or <see langword="null"/> to let it through.
    /// Wraps only what an SDK call threw: 404 and 412 answers pass through for the caller to handle.
    /// </summary>
    /// <param name="exception">What the SDK threw.</param>
    /// <param name="storage">The storage's name.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="endpoint">The endpoint, for messages.</param>
    /// <param name="operation">The S3 operation (<c>HEAD</c>, <c>PUT</c>, …).</param>
    /// <param name="key">The object key, or <see langword="null"/> for bucket operations.</param>
    /// <param name="cancellationToken">The caller's token: a cancellation by it is not translated.</param>
    /// <param name="timedOutAfter">The request timeout, when the request's deadline passed; otherwise <see langword="null"/>.</param>
    public static Exception? Translate(Exception exception, string storage, string bucket, string endpoint, string operation, string? key, CancellationToken cancellationToken, TimeSpan? timedOutAfter = null)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (exception is InvalidFileNameException or InvalidFileContentException or StorageUnavailableException or FileNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }

        string target = key is null ? $"bucket '{bucket}'" : $"'{key}' in bucket '{bucket}'";
        if (timedOutAfter is { } timeout && exception is not AmazonS3Exception { StatusCode: not 0 })
        {
            // Whatever the SDK or the connection threw when the deadline cancelled it, the cause is the silence.
            return new StorageUnavailableException(storage,
                $"Storage '{storage}': {operation} of {target} at {endpoint} timed out: no answer or progress for {timeout.TotalSeconds:0.###} s (RequestTimeout). Check that the S3 server is up and not overloaded, and that it is reachable from this machine.",
                exception);
        }

        if (exception is AmazonS3Exception s3 && s3.StatusCode != 0)
        {
            if (IsPreconditionFailed(s3) || IsConditionalConflict(s3) || IsNotFound(s3))
            {
                return null; // answers the caller handles: name taken, object missing
            }

            return TranslateResponse(s3, storage, bucket, endpoint, operation, target);
        }

        var timedOut = FindInner<TimeoutException>(exception);
        if (exception is OperationCanceledException || timedOut is not null)
        {
            // HttpClient says which timeout it was ("…within the configured ConnectTimeout").
            string which = timedOut is { Message.Length: > 0 } ? $" ({timedOut.Message.TrimEnd('.')})" : "";
            return new StorageUnavailableException(storage,
                $"Storage '{storage}': {operation} of {target} at {endpoint} timed out{which}. Check that the S3 server is up and reachable from this machine, and that ServiceUrl is right.",
                exception);
        }

        if (FindInner<SocketException>(exception) is { } socket)
        {
            string what = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "the connection was refused: is the S3 server running, and is the port in ServiceUrl right?",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name could not be resolved: check the host in ServiceUrl and this machine's DNS.",
                SocketError.TimedOut => "the connection timed out: check that the host in ServiceUrl is reachable (firewall, network).",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "the host is unreachable: check the network route to the host in ServiceUrl.",
                _ => $"the network failed ({socket.SocketErrorCode}): check that the S3 server is reachable at ServiceUrl.",
            };
            return new StorageUnavailableException(storage, $"Storage '{storage}' could not reach S3 at {endpoint} for {operation} of {target}: {what}", exception);
        }

        if (exception is HttpRequestException or AmazonClientException || FindInner<HttpRequestException>(exception) is not null)
        {
            return new StorageUnavailableException(storage,
                $"Storage '{storage}' could not complete {operation} of {target} at {endpoint}: {exception.Message} Check that the S3 server is running and reachable, and that ServiceUrl is right.",
                exception);
        }

        return null;
    }

    private static Exception TranslateResponse(AmazonS3Exception s3, string storage, string bucket, string endpoint, string operation, string target)
    {
        if (s3.StatusCode == HttpStatusCode.Forbidden)
        {
            string hint = s3.ErrorCode switch
            {
                "InvalidAccessKeyId" => "the access key is unknown to the server: check AccessKey (or the credentials of the default chain).",
                "SignatureDoesNotMatch" => "the signature does not match: check SecretKey, Region and that the server's clock is right.",
                "RequestTimeTooSkewed" => "this machine's clock and the server's differ by more than 15 minutes: fix the clock.",
                _ => operation == "HEAD"
                    ? "the credentials may lack permission to read it (s3:GetObject) or to list the bucket (s3:ListBucket; without it S3 answers 403 instead of 404 for a missing object), or AccessKey and SecretKey may be wrong (a HEAD answer carries no error code to tell)."
                    : $"the credentials may lack the permission for {operation} on the bucket, or a bucket policy denies it.",
            };
            return new UnauthorizedAccessException($"Storage '{storage}': S3 at {endpoint} answered 403 Forbidden ({s3.ErrorCode ?? "no code"}) to {operation} of {target}; {hint}", s3);
        }

        if (s3.ErrorCode == "NoSuchBucket")
        {
            return new StorageUnavailableException(storage,
                $"Storage '{storage}': the bucket '{bucket}' does not exist at {endpoint}. Create it, or fix BucketName and ServiceUrl.", s3);
        }

        if ((int)s3.StatusCode >= 500)
        {
            return new StorageUnavailableException(storage,
                $"Storage '{storage}': S3 at {endpoint} answered {(int)s3.StatusCode} ({s3.ErrorCode ?? "no code"}) to {operation} of {target} after retries. The server is failing or overloaded; try again later.", s3);
        }

        return new StorageUnavailableException(storage,
            $"Storage '{storage}': S3 at {endpoint} refused {operation} of {target} with {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}", s3);
    }

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
