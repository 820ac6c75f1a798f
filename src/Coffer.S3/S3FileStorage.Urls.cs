using Amazon.S3;
using Amazon.S3.Model;
using Amazon.Util;

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
    protected override FileUrl GetUrlCore(string name, FileUrlOptions? options, TimeSpan expiry)
    {
        string key = GetFullKey(name);
        if (!_signUrls)
        {
            if (options?.DownloadFileName is not null || options?.ContentType is not null)
            {
                throw new ArgumentException(
                    $"Storage '{Name}' gives unsigned URLs, and S3 applies DownloadFileName and ContentType overrides only to signed requests. Store the file with the content type and disposition it needs, or turn QueryStringAuth on.",
                    nameof(options));
            }

            return new FileUrl(_plainUrlPrefix + UrlPath.Encode(key), null);
        }

        if (expiry < S3FileStorageOptions.MinUrlExpiry || expiry > S3FileStorageOptions.MaxUrlExpiry)
        {
            throw new ArgumentOutOfRangeException(nameof(options), expiry,
                $"A presigned S3 URL expires between 1 second and 7 days after it is made (the SigV4 limit); {expiry} is outside that range.");
        }

        // Whole seconds: X-Amz-Expires is a number of seconds, and the reported time must match it.
        int seconds = (int)expiry.TotalSeconds;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.GetUtcNow().ToUnixTimeSeconds() + seconds);
        string? disposition = options?.DownloadFileName is { } downloadName ? ContentDisposition.Attachment(downloadName) : null;
        return new FileUrl(Presign(key, seconds, disposition, options?.ContentType), expiresAt);
    }

    /// <summary>
    /// The one place that signs a URL: a presigned GET of <paramref name="key"/>, valid <paramref name="seconds"/>
    /// seconds, with optional response header overrides. Uses the AWS SDK's presigner for now (no network I/O);
    /// a faster SigV4 presigner takes its place later, so keep every signing detail in here.
    /// </summary>
    private string Presign(string key, int seconds, string? contentDisposition, string? contentType)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Protocol = _presignProtocol,
            Expires = AWSSDKUtils.CorrectedUtcNow.AddSeconds(seconds),
        };
        if (contentDisposition is not null)
        {
            request.ResponseHeaderOverrides.ContentDisposition = contentDisposition;
        }

        if (contentType is not null)
        {
            request.ResponseHeaderOverrides.ContentType = contentType;
        }

        string url = _urlClient.GetPreSignedURL(request);

        // The SDK turns Expires back into seconds from its own clock, which it corrects by the skew it inferred from
        // the Date headers of earlier responses (per endpoint, second-granular), and rounds: X-Amz-Expires can come out
        // a second off. Sign once more with the difference taken out, so it is exactly `seconds`.
        int signed = SignedExpiry(url);
        if (signed != seconds && signed > 0)
        {
            request.Expires = request.Expires.Value.AddSeconds(seconds - signed);
            url = _urlClient.GetPreSignedURL(request);
        }

        return url;
    }

    private static int SignedExpiry(string url)
    {
        const string Parameter = "X-Amz-Expires=";
        int start = url.IndexOf(Parameter, StringComparison.Ordinal);
        if (start < 0)
        {
            return -1;
        }

        start += Parameter.Length;
        int end = url.IndexOf('&', start);
        return int.TryParse(url.AsSpan(start, (end < 0 ? url.Length : end) - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : -1;
    }

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
