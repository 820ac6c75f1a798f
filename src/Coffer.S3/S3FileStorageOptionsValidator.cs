using Coffer.S3.Presigning;

namespace Coffer.S3;

/// <summary>
/// Checks <see cref="S3FileStorageOptions"/>: required settings, S3's limits, and the combinations that would hand
/// out an unsigned URL for a storage whose URLs must be signed.
/// </summary>
public sealed class S3FileStorageOptionsValidator : FileStorageOptionsValidator<S3FileStorageOptions>
{
    internal static readonly string[] CannedAcls =
        ["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control"];

    private static readonly string[] PublicAcls = ["public-read", "public-read-write", "authenticated-read"];

    internal static readonly string[] EncryptionMethods = ["AES256", "aws:kms", "aws:kms:dsse"];

    /// <inheritdoc />
    protected override void AddErrors(S3FileStorageOptions options, FileStorageOptionsErrors builder)
    {
        base.AddErrors(options, builder);
        bool isPrivate = options.Visibility == FileVisibility.Private;

        CheckBucket(options, builder);
        CheckEndpoint(options.ServiceUrl, nameof(options.ServiceUrl), builder);
        CheckEndpoint(options.PublicEndpoint, nameof(options.PublicEndpoint), builder);
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            builder.AddError("is required: the region requests are signed for (us-east-1 for most S3-compatible stores).", nameof(options.Region));
        }

        if (options.BaseUrl is not null)
        {
            builder.AddError("is not used by S3 storages: set CustomDomain for unsigned URLs on another host, or PublicEndpoint to sign URLs for the host browsers use.", nameof(options.BaseUrl));
        }

        if (!SigV4Presigner.IsValidExpiry(options.UrlExpiry))
        {
            builder.AddError($"must be between 1 second and 7 days (the longest a SigV4 presigned URL can live), but is {options.UrlExpiry}.", nameof(options.UrlExpiry));
        }

        // Who can read the objects, and whether their URLs are signed.
        if (options.DefaultAcl is { Length: > 0 } acl && !CannedAcls.Contains(acl, StringComparer.Ordinal))
        {
            builder.AddError($"must be a canned ACL ({string.Join(", ", CannedAcls)}), \"\" for none, or null for the visibility's default, but is '{acl}'.", nameof(options.DefaultAcl));
        }

        if (isPrivate && options.DefaultAcl is { } publicAcl && PublicAcls.Contains(publicAcl, StringComparer.Ordinal))
        {
            builder.AddError($"is '{publicAcl}', which makes the objects of a private storage readable without a signed URL. Use 'private' (or leave it unset), or make the storage public.", nameof(options.DefaultAcl));
        }

        if (isPrivate && options.QueryStringAuth == false)
        {
            builder.AddError("is false, but the storage is private: its objects are not readable without a signature, so its URLs must be signed. Leave it unset or make the storage public.", nameof(options.QueryStringAuth));
        }

        bool signsUrls = options.SignsUrls;
        if (options.CustomDomain is { } domain)
        {
            if (signsUrls)
            {
                builder.AddError($"is set, but the storage's URLs are signed ({(isPrivate ? "it is private" : "QueryStringAuth is on")}), and a URL on a custom domain is never signed. Remove CustomDomain, or set PublicEndpoint to sign URLs for the host browsers use.", nameof(options.CustomDomain));
            }

            if (domain.Length == 0 || domain.Contains("://", StringComparison.Ordinal) || domain.Contains('?', StringComparison.Ordinal) || domain.Contains('#', StringComparison.Ordinal) || domain.Any(char.IsWhiteSpace))
            {
                builder.AddError($"must be a host with an optional path and no scheme (cdn.example.com or cdn.example.com/media), but is '{domain}'. The scheme is UrlScheme.", nameof(options.CustomDomain));
            }
        }

        if (options.UrlScheme is not ("https" or "http"))
        {
            builder.AddError($"must be 'https' or 'http', but is '{options.UrlScheme}'.", nameof(options.UrlScheme));
        }

        // Object parameters.
        if (options.ServerSideEncryption is { } sse && !EncryptionMethods.Contains(sse, StringComparer.Ordinal))
        {
            builder.AddError($"must be one of {string.Join(", ", EncryptionMethods)}, or null for the bucket's default, but is '{sse}'.", nameof(options.ServerSideEncryption));
        }

        if (options.ServerSideEncryptionKeyId is not null && options.ServerSideEncryption is not ("aws:kms" or "aws:kms:dsse"))
        {
            builder.AddError("is set, but ServerSideEncryption is not 'aws:kms' or 'aws:kms:dsse'; a KMS key is used only with KMS encryption.", nameof(options.ServerSideEncryptionKeyId));
        }

        foreach (var (key, value) in options.Metadata)
        {
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                builder.AddError($"has the key '{key}'; metadata keys are ASCII letters, digits, '-', '_' and '.'.", nameof(options.Metadata));
            }

            if (value is null || value.Any(c => c < 0x20 || c > 0x7E))
            {
                builder.AddError($"has a value for '{key}' that is not printable ASCII; S3 sends metadata as HTTP headers.", nameof(options.Metadata));
            }
        }

        // Multipart uploads.
        if (options.MultipartPartSize < S3FileStorageOptions.MinPartSize)
        {
            builder.AddError($"must be at least 5 MiB ({S3FileStorageOptions.MinPartSize} bytes), the smallest part S3 accepts, but is {options.MultipartPartSize}.", nameof(options.MultipartPartSize));
        }

        if (options.MultipartThreshold < 1 || options.MultipartThreshold > S3FileStorageOptions.MaxPartSize)
        {
            builder.AddError($"must be between 1 byte and 5 GiB (the largest single PUT), but is {options.MultipartThreshold}.", nameof(options.MultipartThreshold));
        }

        if (options.MultipartConcurrency is < 1 or > 64)
        {
            builder.AddError($"must be between 1 and 64, but is {options.MultipartConcurrency}.", nameof(options.MultipartConcurrency));
        }

        // Timeouts: a hung store must be given up on in seconds, but a zero or negative value would fail every request.
        CheckTimeout(options.ConnectTimeout, TimeSpan.FromMinutes(10), nameof(options.ConnectTimeout), builder);
        CheckTimeout(options.RequestTimeout, TimeSpan.FromHours(1), nameof(options.RequestTimeout), builder);

        // Credentials: keys, keys with a session token, or none at all for the SDK's default chain.
        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            builder.AddError("and SecretKey must be set together (or neither, for the AWS SDK's default credential chain).", nameof(options.AccessKey));
        }

        if (!string.IsNullOrEmpty(options.SessionToken) && string.IsNullOrEmpty(options.AccessKey))
        {
            builder.AddError("is set without AccessKey and SecretKey; a session token belongs to temporary keys.", nameof(options.SessionToken));
        }

        if (!Enum.IsDefined(options.AddressingStyle))
        {
            builder.AddError($"must be Auto, Path or Virtual, but is {options.AddressingStyle}.", nameof(options.AddressingStyle));
        }

        if (!Enum.IsDefined(options.UniqueNameStrategy))
        {
            builder.AddError($"must be ConditionalPut or CheckThenPut, but is {options.UniqueNameStrategy}.", nameof(options.UniqueNameStrategy));
        }
    }

    private static void CheckTimeout(TimeSpan value, TimeSpan max, string property, FileStorageOptionsErrors builder)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            builder.AddError($"must be more than zero and at most {max}, but is {value}.", property);
        }
    }

    private static void CheckBucket(S3FileStorageOptions options, FileStorageOptionsErrors builder)
    {
        string bucket = options.BucketName ?? "";
        if (bucket.Length == 0)
        {
            builder.AddError("is required: the bucket that holds the files.", nameof(options.BucketName));
            return;
        }

        if (!SigV4Presigner.IsValidBucketName(bucket))
        {
            builder.AddError($"must be a valid bucket name (3-63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit), but is '{bucket}'.", nameof(options.BucketName));
        }
    }

    private static void CheckEndpoint(string? value, string property, FileStorageOptionsErrors builder)
    {
        if (value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            builder.AddError($"must be an absolute http or https URL such as http://127.0.0.1:9000, but is '{value}'.", property);
            return;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            builder.AddError($"must be a scheme, host and optional port only (no path, query or user), but is '{value}'.", property);
        }
    }
}
