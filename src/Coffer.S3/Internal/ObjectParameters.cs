using Amazon.S3.Model;

namespace Coffer.S3;

/// <summary>
/// What the storage stores with every new object (ACL, encryption, Cache-Control, Content-Disposition, metadata),
/// built once from the options as the HTTP headers S3 reads them from, and applied the same way to a PutObject and to
/// an InitiateMultipartUpload: the SDK's two request types share no base for ACL and encryption, but both send every
/// entry of their header collection as it is.
/// </summary>
internal sealed class ObjectParameters
{
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly KeyValuePair<string, string>[] _metadata;

    public ObjectParameters(S3FileStorageOptions options, string? cannedAcl)
    {
        var headers = new List<KeyValuePair<string, string>>();
        Add(headers, "x-amz-acl", cannedAcl);
        Add(headers, "x-amz-server-side-encryption", options.ServerSideEncryption);
        if (options.ServerSideEncryption is not null)
        {
            Add(headers, "x-amz-server-side-encryption-aws-kms-key-id", options.ServerSideEncryptionKeyId);
        }

        Add(headers, "Cache-Control", options.CacheControl);
        Add(headers, "Content-Disposition", options.ContentDisposition);
        _headers = [.. headers];
        _metadata = [.. options.Metadata];
    }

    /// <summary>Sets the parameters and <paramref name="contentType"/> on a request's headers and metadata.</summary>
    public void ApplyTo(HeadersCollection headers, MetadataCollection metadata, string contentType)
    {
        headers.ContentType = contentType;
        foreach (var (name, value) in _headers)
        {
            headers[name] = value;
        }

        foreach (var (key, value) in _metadata)
        {
            metadata.Add(key, value);
        }
    }

    /// <summary>
    /// The same parameters as the fields of an HTML upload form (POST Object), which takes the ACL as <c>acl</c>, the other headers by their names and
    /// each metadata entry as <c>x-amz-meta-*</c>.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> FormFields()
    {
        foreach (var (name, value) in _headers)
        {
            yield return new(name == "x-amz-acl" ? "acl" : name, value);
        }

        foreach (var (key, value) in _metadata)
        {
            yield return new(key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? key : "x-amz-meta-" + key, value);
        }
    }

    private static void Add(List<KeyValuePair<string, string>> headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.Add(new(name, value));
        }
    }
}
