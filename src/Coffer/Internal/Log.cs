using Microsoft.Extensions.Logging;

namespace Coffer;

/// <summary>Every log message of the core package, with stable event ids.</summary>
/// <remarks>
/// Names and keys may come from a client (an upload's file name). Each method hands its text arguments through
/// <see cref="LogText.Escape"/> to a generated <c>…Core</c> method, so that no CR, LF or other control or format
/// character reaches the log raw; a new message does the same.
/// </remarks>
internal static partial class Log
{
    /// <summary>The category of what Coffer's registration logs (storages log under their own type).</summary>
    public const string Category = "Coffer";

    public static void FileSaved(ILogger logger, string storage, string fileName) =>
        FileSavedCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(1001, LogLevel.Debug, "Storage {Storage} saved {FileName}", EventName = "FileSaved")]
    private static partial void FileSavedCore(ILogger logger, string storage, string fileName);

    public static void FileDeleted(ILogger logger, string storage, string fileName) =>
        FileDeletedCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(1002, LogLevel.Debug, "Storage {Storage} deleted {FileName}", EventName = "FileDeleted")]
    private static partial void FileDeletedCore(ILogger logger, string storage, string fileName);

    public static void NameTaken(ILogger logger, string storage, string fileName, string alternative) =>
        NameTakenCore(logger, LogText.Escape(storage), LogText.Escape(fileName), LogText.Escape(alternative));

    [LoggerMessage(1003, LogLevel.Debug, "Storage {Storage}: {FileName} is taken, trying {Alternative}", EventName = "NameTaken")]
    private static partial void NameTakenCore(ILogger logger, string storage, string fileName, string alternative);

    public static void TempFileLeft(ILogger logger, Exception exception, string storage, string tempPath) =>
        TempFileLeftCore(logger, exception, LogText.Escape(storage), LogText.Escape(tempPath));

    [LoggerMessage(1004, LogLevel.Warning, "Storage {Storage} could not remove the temporary file {TempPath}", EventName = "TempFileLeft")]
    private static partial void TempFileLeftCore(ILogger logger, Exception exception, string storage, string tempPath);

    public static void UnfinishedUploadRemoved(ILogger logger, string storage, string leftover, bool dryRun) =>
        UnfinishedUploadRemovedCore(logger, LogText.Escape(storage), LogText.Escape(leftover), dryRun ? "found (dry run)" : "removed");

    [LoggerMessage(1005, LogLevel.Information, "Storage {Storage}: the leftover {Leftover} of an unfinished upload was {Outcome}", EventName = "UnfinishedUploadRemoved")]
    private static partial void UnfinishedUploadRemovedCore(ILogger logger, string storage, string leftover, string outcome);

    public static void SigningKeyGenerated(ILogger logger, string path) =>
        SigningKeyGeneratedCore(logger, LogText.Escape(path));

    // 1006, not Coffer.AspNetCore's 4006 it was: the embedded default moved into the core package with AddCoffer.
    [LoggerMessage(1006, LogLevel.Information, "Generated a URL signing key in {Path}; keep this file, and keep it out of source control", EventName = "SigningKeyGenerated")]
    private static partial void SigningKeyGeneratedCore(ILogger logger, string path);

    public static void SweepCompleted(ILogger logger, string storage, int count, bool dryRun, TimeSpan elapsed)
    {
        // A run that found nothing is the usual one: Debug, so that an hourly sweep does not fill the log.
        if (count > 0)
        {
            SweepRemovedCore(logger, LogText.Escape(storage), count, dryRun ? "found (dry run)" : "removed", elapsed.TotalMilliseconds);
        }
        else
        {
            SweepFoundNothingCore(logger, LogText.Escape(storage), elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(1007, LogLevel.Information, "Sweeper: storage {Storage}: {Count} leftovers of unfinished uploads {Outcome} in {ElapsedMs:0} ms", EventName = "SweepCompleted")]
    private static partial void SweepRemovedCore(ILogger logger, string storage, int count, string outcome, double elapsedMs);

    [LoggerMessage(1008, LogLevel.Debug, "Sweeper: storage {Storage} has no leftovers of unfinished uploads ({ElapsedMs:0} ms)", EventName = "SweepFoundNothing")]
    private static partial void SweepFoundNothingCore(ILogger logger, string storage, double elapsedMs);

    public static void SweepFailed(ILogger logger, Exception exception, string storage) =>
        SweepFailedCore(logger, exception, LogText.Escape(storage));

    [LoggerMessage(1009, LogLevel.Warning, "Sweeper: storage {Storage} could not be swept; the next run tries again", EventName = "SweepFailed")]
    private static partial void SweepFailedCore(ILogger logger, Exception exception, string storage);

    // 1010 on: direct uploads to local disk. Anyone holding a part URL can cause these, so none is above Information.

    public static void DirectUploadStarted(ILogger logger, string storage, string fileName, string uploadId, int partCount) =>
        DirectUploadStartedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId, partCount);

    [LoggerMessage(1010, LogLevel.Debug, "Storage {Storage} started the direct upload {UploadId} of {FileName} in {PartCount} parts", EventName = "DirectUploadStarted")]
    private static partial void DirectUploadStartedCore(ILogger logger, string storage, string fileName, string uploadId, int partCount);

    public static void DirectUploadPartSaved(ILogger logger, string storage, string fileName, string uploadId, int partNumber, long length) =>
        DirectUploadPartSavedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId, partNumber, length);

    [LoggerMessage(1011, LogLevel.Debug, "Storage {Storage} received part {PartNumber} ({Length} bytes) of the direct upload {UploadId} of {FileName}", EventName = "DirectUploadPartSaved")]
    private static partial void DirectUploadPartSavedCore(ILogger logger, string storage, string fileName, string uploadId, int partNumber, long length);

    public static void DirectUploadPartDropped(ILogger logger, Exception exception, string storage, string fileName, string uploadId, int partNumber) =>
        DirectUploadPartDroppedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName), uploadId, partNumber);

    [LoggerMessage(1012, LogLevel.Debug, "Storage {Storage} dropped part {PartNumber} of the direct upload {UploadId} of {FileName}: it did not arrive whole", EventName = "DirectUploadPartDropped")]
    private static partial void DirectUploadPartDroppedCore(ILogger logger, Exception exception, string storage, string fileName, string uploadId, int partNumber);

    public static void DirectUploadCompleted(ILogger logger, string storage, string fileName, string uploadId, int partCount, long length) =>
        DirectUploadCompletedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId, partCount, length);

    [LoggerMessage(1013, LogLevel.Debug, "Storage {Storage} completed the direct upload {UploadId} of {FileName}: {PartCount} parts, {Length} bytes", EventName = "DirectUploadCompleted")]
    private static partial void DirectUploadCompletedCore(ILogger logger, string storage, string fileName, string uploadId, int partCount, long length);

    public static void DirectUploadIncomplete(ILogger logger, string storage, string fileName, string uploadId, long received, long length) =>
        DirectUploadIncompleteCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId, received, length);

    [LoggerMessage(1014, LogLevel.Debug, "Storage {Storage} could not complete the direct upload {UploadId} of {FileName} yet: {Received} of {Length} bytes have arrived", EventName = "DirectUploadIncomplete")]
    private static partial void DirectUploadIncompleteCore(ILogger logger, string storage, string fileName, string uploadId, long received, long length);

    public static void DirectUploadTooLarge(ILogger logger, string storage, string fileName, string uploadId, long received, long length) =>
        DirectUploadTooLargeCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId, received, length);

    [LoggerMessage(1015, LogLevel.Information, "Storage {Storage} aborted the direct upload {UploadId} of {FileName}: its parts hold {Received} bytes, not the {Length} declared", EventName = "DirectUploadTooLarge")]
    private static partial void DirectUploadTooLargeCore(ILogger logger, string storage, string fileName, string uploadId, long received, long length);

    public static void DirectUploadAborted(ILogger logger, string storage, string fileName, string? uploadId) =>
        DirectUploadAbortedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), uploadId is null ? "every unfinished upload" : LogText.Escape(uploadId));

    [LoggerMessage(1016, LogLevel.Debug, "Storage {Storage} removed the parts of {Uploads} of {FileName}", EventName = "DirectUploadAborted")]
    private static partial void DirectUploadAbortedCore(ILogger logger, string storage, string fileName, string uploads);

    public static void HealthProbeLeft(ILogger logger, Exception exception, string storage, string key) =>
        HealthProbeLeftCore(logger, exception, LogText.Escape(storage), LogText.Escape(key));

    // 1020 on: the health checks' block, clear of the storage and sweeper messages above.
    [LoggerMessage(1020, LogLevel.Warning, "Storage {Storage}: the health check could not delete its probe {Key}; if the probe's save stored it, delete it by hand", EventName = "HealthProbeLeft")]
    private static partial void HealthProbeLeftCore(ILogger logger, Exception exception, string storage, string key);
}
