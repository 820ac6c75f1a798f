using Microsoft.Extensions.Logging;

namespace Coffer.S3;

/// <summary>Every log message of the S3 package, with stable event ids (2000s).</summary>
/// <remarks>
/// Names and keys may come from a client (an upload's file name). Each method hands its text arguments through
/// <see cref="LogText.Escape"/> to a generated <c>…Core</c> method, so that no CR, LF or other control or format
/// character reaches the log raw; a new message does the same.
/// </remarks>
internal static partial class Log
{
    public static void NameTaken(ILogger logger, string storage, string key, string alternative) =>
        NameTakenCore(logger, LogText.Escape(storage), LogText.Escape(key), LogText.Escape(alternative));

    [LoggerMessage(2001, LogLevel.Debug, "Storage {Storage}: {Key} is taken, trying {Alternative}", EventName = "S3NameTaken")]
    private static partial void NameTakenCore(ILogger logger, string storage, string key, string alternative);

    public static void MultipartStarted(ILogger logger, string storage, string key, string uploadId) =>
        MultipartStartedCore(logger, LogText.Escape(storage), LogText.Escape(key), LogText.Escape(uploadId));

    [LoggerMessage(2002, LogLevel.Debug, "Storage {Storage}: multipart upload {UploadId} of {Key} started", EventName = "S3MultipartStarted")]
    private static partial void MultipartStartedCore(ILogger logger, string storage, string key, string uploadId);

    public static void MultipartCompleted(ILogger logger, string storage, string key, int parts, long bytes) =>
        MultipartCompletedCore(logger, LogText.Escape(storage), LogText.Escape(key), parts, bytes);

    [LoggerMessage(2003, LogLevel.Debug, "Storage {Storage}: multipart upload of {Key} completed with {Parts} parts, {Bytes} bytes", EventName = "S3MultipartCompleted")]
    private static partial void MultipartCompletedCore(ILogger logger, string storage, string key, int parts, long bytes);

    public static void MultipartAborted(ILogger logger, string storage, string key, string uploadId) =>
        MultipartAbortedCore(logger, LogText.Escape(storage), LogText.Escape(key), LogText.Escape(uploadId));

    [LoggerMessage(2004, LogLevel.Information, "Storage {Storage}: multipart upload {UploadId} of {Key} aborted after a failure or cancellation", EventName = "S3MultipartAborted")]
    private static partial void MultipartAbortedCore(ILogger logger, string storage, string key, string uploadId);

    public static void AbortFailed(ILogger logger, Exception exception, string storage, string key, string uploadId) =>
        AbortFailedCore(logger, exception, LogText.Escape(storage), LogText.Escape(key), LogText.Escape(uploadId));

    [LoggerMessage(2005, LogLevel.Warning, "Storage {Storage}: could not abort multipart upload {UploadId} of {Key}; its parts stay in the bucket until a lifecycle rule (AbortIncompleteMultipartUpload) removes them", EventName = "S3AbortFailed")]
    private static partial void AbortFailedCore(ILogger logger, Exception exception, string storage, string key, string uploadId);

    public static void ReservationLeft(ILogger logger, Exception exception, string storage, string key) =>
        ReservationLeftCore(logger, exception, LogText.Escape(storage), LogText.Escape(key));

    [LoggerMessage(2006, LogLevel.Warning, "Storage {Storage}: could not remove the name reservation {Key} of a failed upload", EventName = "S3ReservationLeft")]
    private static partial void ReservationLeftCore(ILogger logger, Exception exception, string storage, string key);

    public static void LostAnswerCleanedUp(ILogger logger, string storage, string key) =>
        LostAnswerCleanedUpCore(logger, LogText.Escape(storage), LogText.Escape(key));

    [LoggerMessage(2007, LogLevel.Information, "Storage {Storage}: the answer to the PUT of {Key} was lost, so it may have been stored; it was removed, and the save failed with nothing stored", EventName = "S3LostAnswerCleanedUp")]
    private static partial void LostAnswerCleanedUpCore(ILogger logger, string storage, string key);

    public static void DirectUploadOverExisting(ILogger logger, string storage, string key, bool reservation) =>
        DirectUploadOverExistingCore(logger, LogText.Escape(storage), LogText.Escape(key), reservation);

    [LoggerMessage(2008, LogLevel.Warning, "Storage {Storage}: refused to complete a direct upload of {Key}, which already holds an object (a name reservation: {Reservation}); a name with a random token should never be taken, so the name was chosen or reused wrongly", EventName = "S3DirectUploadOverExisting")]
    private static partial void DirectUploadOverExistingCore(ILogger logger, string storage, string key, bool reservation);
}
