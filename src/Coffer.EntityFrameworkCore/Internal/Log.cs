using Microsoft.Extensions.Logging;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>Every log message of the EF Core package, with stable event ids (3000s).</summary>
/// <remarks>
/// Names and keys may come from a client (an upload's file name). Each method hands its text arguments through
/// <see cref="LogText.Escape"/> to a generated <c>…Core</c> method, so that no CR, LF or other control or format
/// character reaches the log raw; a new message does the same.
/// </remarks>
internal static partial class Log
{
    public static void FileUploaded(ILogger logger, string storage, string fileName, string field) =>
        FileUploadedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), LogText.Escape(field));

    [LoggerMessage(3001, LogLevel.Debug, "Uploaded {FileName} to storage {Storage} for {Field}", EventName = "FileUploaded")]
    private static partial void FileUploadedCore(ILogger logger, string storage, string fileName, string field);

    public static void UploadRemoved(ILogger logger, string storage, string fileName, string reason) =>
        UploadRemovedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), LogText.Escape(reason));

    [LoggerMessage(3002, LogLevel.Information, "Removed {FileName} from storage {Storage}: the save that uploaded it did not commit ({Reason})", EventName = "UploadRemoved")]
    private static partial void UploadRemovedCore(ILogger logger, string storage, string fileName, string reason);

    public static void UploadRemoveFailed(ILogger logger, Exception exception, string storage, string fileName) =>
        UploadRemoveFailedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3003, LogLevel.Warning, "Could not remove {FileName} from storage {Storage} after the save that uploaded it did not commit; it is left for the sweeper", EventName = "UploadRemoveFailed")]
    private static partial void UploadRemoveFailedCore(ILogger logger, Exception exception, string storage, string fileName);

    public static void OldFileDeleted(ILogger logger, string storage, string fileName) =>
        OldFileDeletedCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3004, LogLevel.Debug, "Deleted the old file {FileName} from storage {Storage} after the commit", EventName = "OldFileDeleted")]
    private static partial void OldFileDeletedCore(ILogger logger, string storage, string fileName);

    public static void OldFileDeleteFailed(ILogger logger, Exception exception, string storage, string fileName) =>
        OldFileDeleteFailedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3005, LogLevel.Warning, "Could not delete the old file {FileName} from storage {Storage} after the commit; it is left for the sweeper", EventName = "OldFileDeleteFailed")]
    private static partial void OldFileDeleteFailedCore(ILogger logger, Exception exception, string storage, string fileName);

    public static void TransactionOutcomeUnknown(ILogger logger, int uploaded, int old) =>
        TransactionOutcomeUnknownCore(logger, uploaded, old);

    [LoggerMessage(3006, LogLevel.Warning, "A transaction ended outside EF Core, so its outcome is unknown: {Uploaded} uploaded file(s) are kept and {Old} old file(s) are not deleted; the sweeper removes whichever no row references", EventName = "TransactionOutcomeUnknown")]
    private static partial void TransactionOutcomeUnknownCore(ILogger logger, int uploaded, int old);

    public static void OrphanDeleted(ILogger logger, string storage, string fileName) =>
        OrphanDeletedCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3007, LogLevel.Information, "Sweeper deleted {FileName} from storage {Storage}: no row references it and it is older than the grace period", EventName = "OrphanDeleted")]
    private static partial void OrphanDeletedCore(ILogger logger, string storage, string fileName);

    public static void OrphanFound(ILogger logger, string storage, string fileName) =>
        OrphanFoundCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3008, LogLevel.Information, "Sweeper (dry run) would delete {FileName} from storage {Storage}", EventName = "OrphanFound")]
    private static partial void OrphanFoundCore(ILogger logger, string storage, string fileName);

    public static void OrphanDeleteFailed(ILogger logger, Exception exception, string storage, string fileName) =>
        OrphanDeleteFailedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3009, LogLevel.Warning, "Sweeper could not delete {FileName} from storage {Storage}", EventName = "OrphanDeleteFailed")]
    private static partial void OrphanDeleteFailedCore(ILogger logger, Exception exception, string storage, string fileName);

    public static void OldFileDeleteOwed(ILogger logger, Exception exception, string storage, string fileName) =>
        OldFileDeleteOwedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(3010, LogLevel.Warning, "Could not delete the old file {FileName} from storage {Storage} after the commit; the file ledger keeps the delete owed and the ledger sweep retries it", EventName = "OldFileDeleteOwed")]
    private static partial void OldFileDeleteOwedCore(ILogger logger, Exception exception, string storage, string fileName);

    public static void LedgerDeleteDone(ILogger logger, string storage, string fileName, int attempts) =>
        LedgerDeleteDoneCore(logger, LogText.Escape(storage), LogText.Escape(fileName), attempts);

    [LoggerMessage(3011, LogLevel.Information, "Ledger sweep deleted {FileName} from storage {Storage} (attempt {Attempts})", EventName = "LedgerDeleteDone")]
    private static partial void LedgerDeleteDoneCore(ILogger logger, string storage, string fileName, int attempts);

    public static void LedgerDeleteFailed(ILogger logger, Exception exception, string storage, string fileName, int attempts, DateTime retryAt) =>
        LedgerDeleteFailedCore(logger, exception, LogText.Escape(storage), LogText.Escape(fileName), attempts, retryAt);

    [LoggerMessage(3012, LogLevel.Warning, "Ledger sweep could not delete {FileName} from storage {Storage} (attempt {Attempts}); it retries at {RetryAt:o}", EventName = "LedgerDeleteFailed")]
    private static partial void LedgerDeleteFailedCore(ILogger logger, Exception exception, string storage, string fileName, int attempts, DateTime retryAt);

    public static void LedgerUploadAbandoned(ILogger logger, string storage, string fileName, DateTime startedAt) =>
        LedgerUploadAbandonedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), startedAt);

    [LoggerMessage(3013, LogLevel.Information, "Ledger sweep deleted {FileName} from storage {Storage}: its upload started at {StartedAt:o} and no row committed with it", EventName = "LedgerUploadAbandoned")]
    private static partial void LedgerUploadAbandonedCore(ILogger logger, string storage, string fileName, DateTime startedAt);
}
