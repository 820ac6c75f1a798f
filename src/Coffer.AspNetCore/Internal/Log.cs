using Coffer.Signing;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Internal;

/// <summary>Every log message of Coffer.AspNetCore, with stable event ids (4000s).</summary>
internal static partial class Log
{
    public const string Category = "Coffer.AspNetCore";

    [LoggerMessage(4001, LogLevel.Information, "Refused a URL of storage {Storage} for {FileName}: the signature is {Status}", EventName = "UrlRefused")]
    public static partial void UrlRefused(ILogger logger, string storage, string fileName, UrlSignatureStatus status);

    [LoggerMessage(4002, LogLevel.Debug, "Refused a URL of storage {Storage} for {FileName}: it has expired", EventName = "UrlExpired")]
    public static partial void UrlExpired(ILogger logger, string storage, string fileName);

    [LoggerMessage(4003, LogLevel.Debug, "Storage {Storage} has no file {FileName} to serve", EventName = "FileNotFound")]
    public static partial void FileNotFound(ILogger logger, string storage, string fileName);

    [LoggerMessage(4004, LogLevel.Information, "Refused an upload to storage {Storage} with status {StatusCode}: {Reason}", EventName = "UploadRefused")]
    public static partial void UploadRefused(ILogger logger, string storage, int statusCode, string reason);

    [LoggerMessage(4005, LogLevel.Debug, "Uploaded {FileName} to storage {Storage} as {StoredName} ({Length} bytes)", EventName = "FileUploaded")]
    public static partial void FileUploaded(ILogger logger, string fileName, string storage, string storedName, long length);

    [LoggerMessage(4006, LogLevel.Information, "Generated a URL signing key in {Path}; keep this file, and keep it out of source control", EventName = "SigningKeyGenerated")]
    public static partial void SigningKeyGenerated(ILogger logger, string path);
}
