using Microsoft.Extensions.Logging;

namespace Coffer;

/// <summary>Every log message of the core package, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Storage {Storage} saved {FileName}", EventName = "FileSaved")]
    public static partial void FileSaved(ILogger logger, string storage, string fileName);

    [LoggerMessage(1002, LogLevel.Debug, "Storage {Storage} deleted {FileName}", EventName = "FileDeleted")]
    public static partial void FileDeleted(ILogger logger, string storage, string fileName);

    [LoggerMessage(1003, LogLevel.Debug, "Storage {Storage}: {FileName} is taken, trying {Alternative}", EventName = "NameTaken")]
    public static partial void NameTaken(ILogger logger, string storage, string fileName, string alternative);

    [LoggerMessage(1004, LogLevel.Warning, "Storage {Storage} could not remove the temporary file {TempPath}", EventName = "TempFileLeft")]
    public static partial void TempFileLeft(ILogger logger, Exception exception, string storage, string tempPath);
}
