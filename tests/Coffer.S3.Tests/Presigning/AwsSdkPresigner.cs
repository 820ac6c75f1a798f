using Coffer.S3;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

/// <summary>The reference: AWSSDK.S3's GetPreSignedURL configured like a <see cref="SigV4Presigner"/>.</summary>
internal sealed class AwsSdkPresigner : IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly Protocol _protocol;

    private AwsSdkPresigner(AmazonS3Client client, string bucket, Protocol protocol)
    {
        _client = client;
        _bucket = bucket;
        _protocol = protocol;
    }

    /// <summary>An S3-compatible endpoint (Ceph RGW, MinIO): ServiceURL + ForcePathStyle + AuthenticationRegion.</summary>
    public static AwsSdkPresigner ForServiceUrl(Uri endpoint, string region, string bucket, S3AddressingStyle style, SigningCredentials credentials)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = style == S3AddressingStyle.Path,
            AuthenticationRegion = region,
        };
        return new AwsSdkPresigner(new AmazonS3Client(ToSdk(credentials), config), bucket, endpoint.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS);
    }

    /// <summary>Amazon S3 itself, addressed by region.</summary>
    public static AwsSdkPresigner ForAwsRegion(string region, string bucket, S3AddressingStyle style, SigningCredentials credentials)
    {
        var config = new AmazonS3Config
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(region),
            ForcePathStyle = style == S3AddressingStyle.Path,
        };
        return new AwsSdkPresigner(new AmazonS3Client(ToSdk(credentials), config), bucket, Protocol.HTTPS);
    }

    public string Presign(PresignMethod method, string key, DateTimeOffset now, TimeSpan expiry, ResponseOverrides overrides = default)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = key,
            Verb = method switch { PresignMethod.Get => HttpVerb.GET, PresignMethod.Head => HttpVerb.HEAD, _ => HttpVerb.PUT },
            Expires = now.UtcDateTime + expiry,
            Protocol = _protocol,
        };
        request.ResponseHeaderOverrides.ContentType = overrides.ContentType;
        request.ResponseHeaderOverrides.ContentDisposition = overrides.ContentDisposition;
        request.ResponseHeaderOverrides.CacheControl = overrides.CacheControl;
        return _client.GetPreSignedURL(request);
    }

    public void Dispose() => _client.Dispose();

    private static AWSCredentials ToSdk(SigningCredentials credentials) => credentials.SessionToken is { } token
        ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
        : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);
}
