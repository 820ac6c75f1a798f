using Amazon.S3;
using Amazon.S3.Model;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// The bucket CORS rule a browser needs for direct uploads: POST for upload forms, PUT for parts, any request header,
/// and ETag exposed (without it a page cannot read a part's ETag; Coffer completes from ListParts and does not need it,
/// but upload libraries such as Uppy read it).
/// </summary>
public static class DirectUploadCors
{
    public static Task ApplyAsync(IAmazonS3 client, string bucket, params string[] origins) =>
        client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new CORSConfiguration
            {
                Rules =
                [
                    new CORSRule
                    {
                        AllowedOrigins = [.. origins],
                        AllowedMethods = ["PUT", "POST"],
                        AllowedHeaders = ["*"],
                        ExposeHeaders = ["ETag"],
                        MaxAgeSeconds = 600,
                    },
                ],
            },
        });
}
