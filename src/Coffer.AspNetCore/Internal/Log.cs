using Coffer.Signing;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Internal;

/// <summary>Every log message of Coffer.AspNetCore, with stable event ids (4000s).</summary>
/// <remarks>
/// Names, paths and reasons may come from a client (a request path, an upload's file name). Each method hands its text
/// arguments through <see cref="LogText.Escape"/> to a generated <c>…Core</c> method, so that no CR, LF or other
/// control or format character reaches the log raw; a new message does the same.
/// </remarks>
internal static partial class Log
{
    public const string Category = "Coffer.AspNetCore";

    public static void UrlRefused(ILogger logger, string storage, string fileName, UrlSignatureStatus status) =>
        UrlRefusedCore(logger, LogText.Escape(storage), LogText.Escape(fileName), status);

    // Debug, like an expired URL: anyone can send refused URLs, and an Information line for each would flood the log.
    [LoggerMessage(4001, LogLevel.Debug, "Refused a URL of storage {Storage} for {FileName}: the signature is {Status}", EventName = "UrlRefused")]
    private static partial void UrlRefusedCore(ILogger logger, string storage, string fileName, UrlSignatureStatus status);

    public static void UrlExpired(ILogger logger, string storage, string fileName) =>
        UrlExpiredCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(4002, LogLevel.Debug, "Refused a URL of storage {Storage} for {FileName}: it has expired", EventName = "UrlExpired")]
    private static partial void UrlExpiredCore(ILogger logger, string storage, string fileName);

    public static void FileNotFound(ILogger logger, string storage, string fileName) =>
        FileNotFoundCore(logger, LogText.Escape(storage), LogText.Escape(fileName));

    [LoggerMessage(4003, LogLevel.Debug, "Storage {Storage} has no file {FileName} to serve", EventName = "FileNotFound")]
    private static partial void FileNotFoundCore(ILogger logger, string storage, string fileName);

    public static void UploadRefused(ILogger logger, string storage, int statusCode, string reason) =>
        UploadRefusedCore(logger, LogText.Escape(storage), statusCode, LogText.Escape(reason));

    [LoggerMessage(4004, LogLevel.Information, "Refused an upload to storage {Storage} with status {StatusCode}: {Reason}", EventName = "UploadRefused")]
    private static partial void UploadRefusedCore(ILogger logger, string storage, int statusCode, string reason);

    public static void FileUploaded(ILogger logger, string fileName, string storage, string storedName, long length) =>
        FileUploadedCore(logger, LogText.Escape(fileName), LogText.Escape(storage), LogText.Escape(storedName), length);

    [LoggerMessage(4005, LogLevel.Debug, "Uploaded {FileName} to storage {Storage} as {StoredName} ({Length} bytes)", EventName = "FileUploaded")]
    private static partial void FileUploadedCore(ILogger logger, string fileName, string storage, string storedName, long length);

    // 4006 (SigningKeyGenerated) moved to the core package with AddCoffer, as 1006.

    public static void StorageUnavailable(ILogger logger, string storage, StorageUnavailableException exception) =>
        StorageUnavailableCore(logger, LogText.Escape(storage), LogText.Escape(exception.Message), exception);

    [LoggerMessage(4007, LogLevel.Warning, "Storage {Storage} could not be reached to save an upload; the client was told to try again: {Reason}", EventName = "StorageUnavailable")]
    private static partial void StorageUnavailableCore(ILogger logger, string storage, string reason, Exception exception);

    public static void DirectUploadStarted(ILogger logger, string storage, string storedName, long length, DirectUploadMethod method) =>
        DirectUploadStartedCore(logger, LogText.Escape(storage), LogText.Escape(storedName), length, method);

    [LoggerMessage(4020, LogLevel.Debug, "Started a direct upload to storage {Storage} as {StoredName} ({Length} bytes declared, as {Method})", EventName = "DirectUploadStarted")]
    private static partial void DirectUploadStartedCore(ILogger logger, string storage, string storedName, long length, DirectUploadMethod method);
}
