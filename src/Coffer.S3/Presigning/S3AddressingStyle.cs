namespace Coffer.S3.Presigning;

/// <summary>Where the bucket goes in a presigned URL.</summary>
public enum S3AddressingStyle
{
    /// <summary>The bucket is the first path segment: <c>https://host/bucket/key</c>. Works with any endpoint, including IP addresses.</summary>
    Path,

    /// <summary>The bucket is a subdomain of the endpoint: <c>https://bucket.host/key</c>. The endpoint must be a DNS name the store serves wildcards for.</summary>
    VirtualHosted,
}
