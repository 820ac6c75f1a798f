namespace Coffer.S3;

/// <summary>How a bucket is addressed in request and URL hosts.</summary>
public enum S3AddressingStyle
{
    /// <summary>Virtual-hosted style on AWS, path style on any other <see cref="S3FileStorageOptions.ServiceUrl"/> (what S3-compatible stores expect).</summary>
    Auto,

    /// <summary>The bucket is the first path segment: <c>https://host/bucket/key</c>.</summary>
    Path,

    /// <summary>The bucket is part of the host name: <c>https://bucket.host/key</c>.</summary>
    VirtualHosted,
}

/// <summary>How a save that must not overwrite finds a name that is free.</summary>
public enum S3UniqueNameStrategy
{
    /// <summary>
    /// The store decides: the object is written with <c>If-None-Match: *</c>, and a 412 answer means the name is
    /// taken, so the next name is tried. One round trip in the common case and no race between concurrent saves.
    /// Needs a store with conditional writes (AWS S3 since 2024, Ceph RGW, MinIO, R2).
    /// </summary>
    ConditionalPut,

    /// <summary>
    /// A HEAD request before each write, as django-storages does. Two saves of one name at the same moment can
    /// both see it free, and the later write replaces the earlier one. Only for stores without conditional writes.
    /// </summary>
    CheckThenPut,
}

/// <summary>
/// Settings of a storage on Amazon S3 or an S3-compatible store. Each has the name and the meaning its
/// django-storages <c>S3Boto3Storage</c> counterpart has (given in the remarks of each).
/// </summary>
public sealed class S3FileStorageOptions : FileStorageOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (all parts but the last): 5 MiB.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>The largest part, and the largest single PUT, S3 accepts: 5 GiB.</summary>
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;

    /// <summary>The bucket that holds the files. Required. (<c>bucket_name</c>)</summary>
    public string BucketName { get; set { ThrowIfReadOnly(); field = value; } } = "";

    /// <summary>
    /// The S3 endpoint, for S3-compatible stores: <c>http://127.0.0.1:4568</c>, <c>https://minio.internal:9000</c>.
    /// An <c>http://</c> endpoint stays http and its port is kept, in requests and in URLs.
    /// Default: none, which means AWS S3 in <see cref="Region"/>. (<c>endpoint_url</c>)
    /// </summary>
    public string? ServiceUrl { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// The endpoint that browsers reach, used only to build URLs, when it differs from <see cref="ServiceUrl"/>
    /// (the app talks to <c>http://rgw:8080</c>, browsers to <c>https://files.example.com</c>). A presigned URL
    /// signs its host, so it must be signed for the host the browser will use: it cannot be rewritten later.
    /// Default: none, URLs use <see cref="ServiceUrl"/>.
    /// </summary>
    public string? PublicEndpoint { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>The region requests are signed for. Default: <c>us-east-1</c>. (<c>region_name</c>)</summary>
    public string Region { get; set { ThrowIfReadOnly(); field = value; } } = "us-east-1";

    /// <summary>
    /// Path style (<c>host/bucket/key</c>) or virtual-hosted style (<c>bucket.host/key</c>).
    /// Default: <see cref="S3AddressingStyle.Auto"/>: virtual-hosted on AWS, path style elsewhere. (<c>addressing_style</c>)
    /// </summary>
    public S3AddressingStyle AddressingStyle { get; set { ThrowIfReadOnly(); field = value; } } = S3AddressingStyle.Auto;

    /// <summary>
    /// The canned ACL sent with every upload (<c>private</c>, <c>public-read</c>, <c>bucket-owner-full-control</c>, …).
    /// Default: <see langword="null"/>, which sends <c>public-read</c> for a <see cref="FileVisibility.Public"/> storage and
    /// no ACL for a private one (the bucket's default, private). Set <c>""</c> to never send an ACL (buckets with
    /// ACLs disabled, made public by a bucket policy). A private storage refuses a public ACL. (<c>default_acl</c>)
    /// </summary>
    public string? DefaultAcl { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// A host (and optional path) that serves the bucket's files without signatures, such as a CDN:
    /// <c>cdn.example.com</c> or <c>cdn.example.com/media</c>. Unsigned URLs use it instead of the endpoint.
    /// Only for storages whose URLs are not signed: a private storage with a custom domain is refused, because a
    /// CDN URL cannot carry the S3 signature (django-storages silently hands out unsigned URLs in that case). Use
    /// <see cref="PublicEndpoint"/> to sign for another host. Default: none. (<c>custom_domain</c>)
    /// </summary>
    public string? CustomDomain { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// Whether URLs are presigned. Default: <see langword="null"/>, which means signed for a
    /// <see cref="FileVisibility.Private"/> storage and plain for a public one. A private storage cannot turn
    /// signing off. (<c>querystring_auth</c>; its expiry, <c>querystring_expire</c>, is
    /// <see cref="FileStorageOptions.UrlExpiry"/>, 1 hour by default, at most 7 days.)
    /// </summary>
    public bool? QueryStringAuth { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// The scheme of unsigned URLs on <see cref="CustomDomain"/>: <c>https</c> or <c>http</c>. Default: <c>https</c> on a
    /// custom domain; URLs on an endpoint always use that endpoint's scheme. (<c>url_protocol</c>)
    /// </summary>
    public string UrlScheme { get; set { ThrowIfReadOnly(); field = value; } } = "https";

    /// <summary>The <c>Cache-Control</c> stored with every object, for example <c>max-age=86400</c>. Default: none. (<c>object_parameters</c>)</summary>
    public string? CacheControl { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// The <c>Content-Disposition</c> stored with every object, for example <c>attachment</c>. A URL can still override it
    /// per download with <see cref="FileUrlOptions.DownloadFileName"/>. Default: none. (<c>object_parameters</c>)
    /// </summary>
    public string? ContentDisposition { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>User metadata stored with every object (sent as <c>x-amz-meta-*</c> headers; ASCII values). Default: none. (<c>object_parameters</c>)</summary>
    public IDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Server-side encryption of new objects: <c>AES256</c>, <c>aws:kms</c> or <c>aws:kms:dsse</c>.
    /// Default: none (the bucket's default encryption applies). (<c>object_parameters["ServerSideEncryption"]</c>)
    /// </summary>
    public string? ServerSideEncryption { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>The KMS key for <c>aws:kms</c> encryption; default: the account's S3 key. (<c>object_parameters["SSEKMSKeyId"]</c>)</summary>
    public string? ServerSideEncryptionKeyId { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// Content longer than this many bytes goes up as a multipart upload; shorter content as one PUT (a direct upload:
    /// as one form). Content that cannot seek is buffered at most one part before this is decided. Default: 8 MiB, as
    /// boto3's <c>TransferConfig.multipart_threshold</c> (django-storages has no setting of its own for it). At most 5 GiB.
    /// </summary>
    public long MultipartThreshold { get; set { ThrowIfReadOnly(); field = value; } } = 8 * 1024 * 1024;

    /// <summary>The size of each part of a multipart upload. Default: 8 MiB. Between 5 MiB and 5 GiB.</summary>
    public int MultipartPartSize { get; set { ThrowIfReadOnly(); field = value; } } = 8 * 1024 * 1024;

    /// <summary>
    /// How many parts of one multipart upload are sent at once. An upload holds at most this many parts in memory,
    /// so its memory is bounded by <see cref="MultipartPartSize"/> × this (the pooled buffers are sized to the next
    /// power of two: keep the part size a power of two to waste nothing). Default: 4.
    /// </summary>
    public int MultipartConcurrency { get; set { ThrowIfReadOnly(); field = value; } } = 4;

    /// <summary>
    /// How long opening a TCP connection (and TLS) to the store may take. Applies to the S3 client the storage
    /// builds itself; a client passed to the storage keeps its own settings. Default: 10 seconds. At most 10 minutes.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set { ThrowIfReadOnly(); field = value; } } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one request may go without progress before it fails with <see cref="StorageUnavailableException"/>:
    /// no byte of its body taken by the connection, no answer, and, while a download is read, no byte of it. The
    /// clock restarts with every piece of progress, so a large upload or download that keeps moving is never cut off;
    /// a hung store is given up on after this long, and a multipart upload caught by it is aborted (its
    /// CompleteMultipartUpload, which AWS may work on for minutes, gets 10 times this). Applies to every
    /// request of the storage, through its own client or one passed to it. Default: 30 seconds. At most 1 hour.
    /// </summary>
    public TimeSpan RequestTimeout { get; set { ThrowIfReadOnly(); field = value; } } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The access key id. Default: none, which uses the AWS SDK's default credential chain (environment variables,
    /// shared profile, container or instance role, …). (<c>access_key</c>)
    /// </summary>
    public string? AccessKey { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>The secret access key; required with <see cref="AccessKey"/>. (<c>secret_key</c>)</summary>
    public string? SecretKey { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// The session token of temporary credentials; needs <see cref="AccessKey"/>. A URL presigned with temporary
    /// credentials stops working when they expire, whatever its own expiry. (<c>security_token</c>)
    /// </summary>
    public string? SessionToken { get; set { ThrowIfReadOnly(); field = value; } }

    /// <summary>
    /// How a save without <see cref="FileStorageOptions.FileOverwrite"/> gets a free name.
    /// Default: <see cref="S3UniqueNameStrategy.ConditionalPut"/> (race-free, one round trip).
    /// </summary>
    public S3UniqueNameStrategy UniqueNameStrategy { get; set { ThrowIfReadOnly(); field = value; } } = S3UniqueNameStrategy.ConditionalPut;

    /// <inheritdoc />
    /// <remarks>Signed when <see cref="QueryStringAuth"/> says so, else for a private storage.</remarks>
    public override bool SignsUrls => QueryStringAuth ?? base.SignsUrls;

    /// <inheritdoc />
    protected override void OnMakeReadOnly() =>
        Metadata = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>(Metadata, StringComparer.OrdinalIgnoreCase));
}
