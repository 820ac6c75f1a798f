using Microsoft.Extensions.Logging;

namespace Coffer.S3;

/// <summary>Log messages of the presigning part of the S3 package (event ids 2100-2199).</summary>
internal static partial class Log
{
    [LoggerMessage(2101, LogLevel.Debug, "Presigning credentials {AccessKeyId} refreshed; they expire at {Expiration}, next refresh at {NextRefresh}", EventName = "PresigningCredentialsRefreshed")]
    public static partial void PresigningCredentialsRefreshed(ILogger logger, string accessKeyId, DateTimeOffset? expiration, DateTimeOffset? nextRefresh);

    [LoggerMessage(2102, LogLevel.Warning, "Refreshing the presigning credentials failed; the current ones ({AccessKeyId}) expire at {Expiration}; retrying in {RetryDelay}", EventName = "PresigningCredentialsRefreshFailed")]
    public static partial void PresigningCredentialsRefreshFailed(ILogger logger, Exception exception, string accessKeyId, DateTimeOffset? expiration, TimeSpan retryDelay);
}
