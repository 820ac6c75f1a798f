using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3;

namespace Coffer.Sample.Data;

/// <summary>
/// For a local S3 server (Ceph RGW, MinIO) only: creates the buckets of the S3 storages when <c>Sample:CreateBuckets</c>
/// is true. In production, buckets are made (with their policies) by infrastructure code, not by the app.
/// </summary>
public static class DevelopmentBuckets
{
    public static async Task CreateMissingBucketsAsync(this IServiceProvider services, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>("Sample:CreateBuckets"))
        {
            return;
        }

        var storages = services.GetRequiredService<IFileStorageProvider>();
        foreach (var s3 in storages.Names.Select(storages.GetStorage).OfType<S3FileStorage>().DistinctBy(s => s.BucketName))
        {
            try
            {
                await s3.Client.PutBucketAsync(new PutBucketRequest { BucketName = s3.BucketName });
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // Already there.
            }
        }
    }
}
