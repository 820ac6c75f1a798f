using Microsoft.Extensions.Logging;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>Every log message of the EF Core package, with stable event ids (3000s).</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Debug, "Uploaded {FileName} to storage {Storage} for {Field}", EventName = "FileUploaded")]
    public static partial void FileUploaded(ILogger logger, string storage, string fileName, string field);

    [LoggerMessage(3002, LogLevel.Information, "Removed {FileName} from storage {Storage}: the save that uploaded it did not commit ({Reason})", EventName = "UploadRemoved")]
    public static partial void UploadRemoved(ILogger logger, string storage, string fileName, string reason);

    [LoggerMessage(3003, LogLevel.Warning, "Could not remove {FileName} from storage {Storage} after the save that uploaded it did not commit; it is left for the sweeper", EventName = "UploadRemoveFailed")]
    public static partial void UploadRemoveFailed(ILogger logger, Exception exception, string storage, string fileName);

    [LoggerMessage(3004, LogLevel.Debug, "Deleted the old file {FileName} from storage {Storage} after the commit", EventName = "OldFileDeleted")]
    public static partial void OldFileDeleted(ILogger logger, string storage, string fileName);

    [LoggerMessage(3005, LogLevel.Warning, "Could not delete the old file {FileName} from storage {Storage} after the commit; it is left for the sweeper", EventName = "OldFileDeleteFailed")]
    public static partial void OldFileDeleteFailed(ILogger logger, Exception exception, string storage, string fileName);

    [LoggerMessage(3006, LogLevel.Warning, "A transaction ended outside EF Core, so its outcome is unknown: {Uploaded} uploaded file(s) are kept and {Old} old file(s) are not deleted; the sweeper removes whichever no row references", EventName = "TransactionOutcomeUnknown")]
    public static partial void TransactionOutcomeUnknown(ILogger logger, int uploaded, int old);

    [LoggerMessage(3007, LogLevel.Information, "Sweeper deleted {FileName} from storage {Storage}: no row references it and it is older than the grace period", EventName = "OrphanDeleted")]
    public static partial void OrphanDeleted(ILogger logger, string storage, string fileName);

    [LoggerMessage(3008, LogLevel.Information, "Sweeper (dry run) would delete {FileName} from storage {Storage}", EventName = "OrphanFound")]
    public static partial void OrphanFound(ILogger logger, string storage, string fileName);

    [LoggerMessage(3009, LogLevel.Warning, "Sweeper could not delete {FileName} from storage {Storage}", EventName = "OrphanDeleteFailed")]
    public static partial void OrphanDeleteFailed(ILogger logger, Exception exception, string storage, string fileName);
}
