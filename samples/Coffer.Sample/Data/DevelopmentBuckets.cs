using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3;

namespace Coffer.Sample.Data;

/// <summary>
/// For a local S3 server (Ceph RGW, MinIO) only: creates the buckets of the S3 storages when <c>Sample:CreateBuckets</c>
/// is true. In production, buckets are made (with their policies) by infrastructure code, not by the app.
/// </summary>
/// <remarks>
/// A server that is still starting (the app and RGW started together) gets <c>Sample:CreateBucketsTimeout</c> (default
/// 30 seconds) to answer: each failed try is logged with the endpoint, and tried again after 0.5 s, doubling up to 5 s.
/// When the window closes, one critical line says what failed and how to fix it, and the app does not start.
/// </remarks>
public static partial class DevelopmentBuckets
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Creates the missing buckets; returns <see langword="false"/> (after logging why) when they could not be created in time.</summary>
    public static async Task<bool> CreateMissingBucketsAsync(this IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        if (!configuration.GetValue<bool>("Sample:CreateBuckets"))
        {
            return true;
        }

        var window = configuration.GetValue<TimeSpan?>("Sample:CreateBucketsTimeout") ?? DefaultTimeout;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DevelopmentBuckets).FullName!);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(window);
        var storages = services.GetRequiredService<IFileStorageProvider>();
        foreach (var s3 in storages.Names.Select(storages.GetStorage).OfType<S3FileStorage>().DistinctBy(s => s.BucketName))
        {
            if (!await CreateAsync(s3, window, logger, deadline.Token))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<bool> CreateAsync(S3FileStorage s3, TimeSpan window, ILogger logger, CancellationToken deadline)
    {
        string endpoint = s3.Client.Config.ServiceURL?.TrimEnd('/') ?? s3.Client.Config.RegionEndpoint?.SystemName ?? "(the SDK's default endpoint)";
        var delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            string reason;
            try
            {
                // The deadline bounds the SDK's own retries too, not only the waits between these tries.
                try
                {
                    await s3.Client.PutBucketAsync(new PutBucketRequest { BucketName = s3.BucketName }, deadline);
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                    // already there; its CORS rule is set again below, in case it was made before direct uploads
                }

                await AllowDirectUploadsAsync(s3, deadline);
                return true;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                reason = "no answer before the window closed";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Any failure is worth another try while the window is open (a server still starting answers 503, or
                // refuses connections); the last one is what the critical line reports.
                reason = FirstLine(ex);
            }

            if (!deadline.IsCancellationRequested)
            {
                LogTryFailed(logger, s3.BucketName, endpoint, attempt, reason, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, deadline);
                    delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
                    continue;
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                }
            }

            LogGaveUp(logger, s3.BucketName, endpoint, window.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture), attempt, reason);
            return false;
        }
    }

    /// <summary>
    /// The CORS rule a browser needs to send direct uploads to the bucket (docs/s3.md): POST for forms, PUT for parts,
    /// ETag exposed. Any origin, since this runs only against a local development server; on AWS, name the app's origin.
    /// </summary>
    private static Task<PutCORSConfigurationResponse> AllowDirectUploadsAsync(S3FileStorage s3, CancellationToken cancellationToken) =>
        s3.Client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = s3.BucketName,
            Configuration = new CORSConfiguration
            {
                Rules = [new CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["PUT", "POST"], AllowedHeaders = ["*"], ExposeHeaders = ["ETag"], MaxAgeSeconds = 600 }],
            },
        }, cancellationToken);

    private static string FirstLine(Exception exception) =>
        LogText.Escape($"{exception.GetType().Name}: {exception.Message.Split('\n', 2)[0].Trim()}")!;

    [LoggerMessage(9002, LogLevel.Warning, "Bucket {Bucket} at {Endpoint} could not be created (try {Attempt}): {Reason}; trying again in {DelaySeconds} s",
        EventName = "BucketTryFailed")]
    private static partial void LogTryFailed(ILogger logger, string bucket, string endpoint, int attempt, string reason, double delaySeconds);

    // One line, without the exception: the tries above said what each failure was; this says what to do.
    [LoggerMessage(9003, LogLevel.Critical, "Could not create the bucket {Bucket} at {Endpoint} within {Seconds} s ({Attempts} tries; last: {Reason}). "
        + "Start the S3 server, fix Coffer:Storages, or set Sample:CreateBuckets to false; the app is not starting.", EventName = "BucketsNotCreated")]
    private static partial void LogGaveUp(ILogger logger, string bucket, string endpoint, string seconds, int attempts, string reason);
}
