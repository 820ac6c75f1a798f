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
}
