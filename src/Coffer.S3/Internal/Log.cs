using Microsoft.Extensions.Logging;

namespace Coffer.S3;

/// <summary>Every log message of the S3 package, with stable event ids (2000s).</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Debug, "Storage {Storage}: {Key} is taken, trying {Alternative}", EventName = "S3NameTaken")]
    public static partial void NameTaken(ILogger logger, string storage, string key, string alternative);

    [LoggerMessage(2002, LogLevel.Debug, "Storage {Storage}: multipart upload {UploadId} of {Key} started", EventName = "S3MultipartStarted")]
    public static partial void MultipartStarted(ILogger logger, string storage, string key, string uploadId);

    [LoggerMessage(2003, LogLevel.Debug, "Storage {Storage}: multipart upload of {Key} completed with {Parts} parts, {Bytes} bytes", EventName = "S3MultipartCompleted")]
    public static partial void MultipartCompleted(ILogger logger, string storage, string key, int parts, long bytes);

    [LoggerMessage(2004, LogLevel.Information, "Storage {Storage}: multipart upload {UploadId} of {Key} aborted after a failure or cancellation", EventName = "S3MultipartAborted")]
    public static partial void MultipartAborted(ILogger logger, string storage, string key, string uploadId);

    [LoggerMessage(2005, LogLevel.Warning, "Storage {Storage}: could not abort multipart upload {UploadId} of {Key}; its parts stay in the bucket until a lifecycle rule (AbortIncompleteMultipartUpload) removes them", EventName = "S3AbortFailed")]
    public static partial void AbortFailed(ILogger logger, Exception exception, string storage, string key, string uploadId);

    [LoggerMessage(2006, LogLevel.Warning, "Storage {Storage}: could not remove the name reservation {Key} of a failed upload", EventName = "S3ReservationLeft")]
    public static partial void ReservationLeft(ILogger logger, Exception exception, string storage, string key);
}
