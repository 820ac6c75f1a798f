using Coffer.S3.Presigning;

namespace Coffer.S3;

public sealed partial class S3FileStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// A storage whose URLs are signed (every private storage) returns a SigV4 presigned GET, for the host of
    /// <see cref="S3FileStorageOptions.PublicEndpoint"/> when set; <see cref="FileUrlOptions.DownloadFileName"/> and
    /// <see cref="FileUrlOptions.ContentType"/> travel as the signed <c>response-content-disposition</c> and
    /// <c>response-content-type</c> parameters. Other storages return a plain URL on the custom domain or endpoint.
    /// </remarks>
    protected override FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry)
    {
        string key = GetFullKey(name);
        if (!SigV4Presigner.IsValidExpiry(expiry))
        {
            throw new ArgumentOutOfRangeException(nameof(options), expiry,
                $"A presigned S3 URL expires between 1 second and 7 days after it is made (the SigV4 limit); {expiry} is outside that range.");
        }

        // Whole seconds: X-Amz-Expires is a number of seconds. The presigner reports the expiry it signed, which is
        // earlier than asked when the signing credentials expire first.
        var lifetime = TimeSpan.FromSeconds((int)expiry.TotalSeconds);
        var overrides = new ResponseOverrides
        {
            ContentDisposition = options?.DownloadFileName is { } downloadName ? ContentDisposition.Attachment(downloadName) : null,
            ContentType = options?.ContentType,
        };
        return _presigner!.Presign(PresignMethod.Get, key, TimeProvider.GetUtcNow(), lifetime, overrides);
    }

    /// <inheritdoc />
    /// <remarks>On the custom domain, else on the (public) endpoint with the bucket.</remarks>
    protected override string GetPlainUrlCore(string name) => _plainUrlPrefix + UrlPath.Encode(GetFullKey(name));

    /// <summary>Where unsigned URLs start: the custom domain, else the (public) endpoint with the bucket, ending in '/'.</summary>
    private static string GetPlainUrlPrefix(S3FileStorageOptions options, string? endpoint)
    {
        if (options.CustomDomain is { } domain)
        {
            return $"{options.UrlScheme}://{domain.Trim('/')}/";
        }

        bool pathStyle = UsesPathStyle(options, endpoint);
        if (endpoint is null)
        {
            string host = $"s3.{options.Region}.amazonaws.com";
            return pathStyle ? $"https://{host}/{options.BucketName}/" : $"https://{options.BucketName}.{host}/";
        }

        var uri = new Uri(endpoint);
        // Uri.Authority keeps a non-default port and drops a default one (http://h:80 -> h).
        return pathStyle ? $"{uri.Scheme}://{uri.Authority}/{options.BucketName}/" : $"{uri.Scheme}://{options.BucketName}.{uri.Authority}/";
    }
}
