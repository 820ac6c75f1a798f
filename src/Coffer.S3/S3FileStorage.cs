using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Coffer.S3.Presigning;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coffer.S3;

/// <summary>
/// Files in an Amazon S3 bucket or an S3-compatible store (Ceph RGW, MinIO, R2): the storage of
/// django-storages' <c>S3Boto3Storage</c>, without its races. A new name is claimed by the store itself
/// (<c>If-None-Match: *</c>), large and non-seekable content goes up as a multipart upload with bounded memory
/// that is aborted on failure, and a private storage only ever hands out presigned URLs.
/// </summary>
public sealed partial class S3FileStorage : FileStorage<S3FileStorageOptions>, IDisposable
{
    /// <summary>The user-metadata key that marks a name reservation of a multipart upload in progress.</summary>
    internal const string ReservationMetadataKey = "coffer-reservation";

    /// <summary>The longest object key S3 accepts, in UTF-8 bytes.</summary>
    private const int MaxKeyBytes = 1024;

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly SigV4Presigner? _presigner;
    private readonly PresigningCredentials? _presigningCredentials;
    private readonly string _bucket;
    private readonly bool _isAws;
    private readonly string _endpoint;
    private readonly string _plainUrlPrefix;
    private readonly ObjectParameters _objectParameters;
    private readonly System.Buffers.ArrayPool<byte> _partBuffers;

    /// <summary>Whether the bucket has been seen to exist (see <see cref="HeadAsync"/>).</summary>
    private volatile bool _bucketSeen;

    /// <summary>Creates an S3 storage.</summary>
    /// <param name="name">The storage's name (<c>"private"</c>).</param>
    /// <param name="options">Its settings; from here on they cannot change.</param>
    /// <param name="client">
    /// The S3 client to send requests through, for apps that configure their own <see cref="IAmazonS3"/> (not disposed by
    /// the storage; its endpoint, keys and region win for requests); <see langword="null"/> to build one from
    /// <paramref name="options"/>. URLs are signed locally with the options' keys, or with the SDK's default credential
    /// chain when the options have none.
    /// </param>
    /// <param name="logger">Where it logs; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">Its clock; <see langword="null"/> for the system clock.</param>
    /// <exception cref="FileStorageOptionsException">A setting is invalid; the message names each one.</exception>
    public S3FileStorage(string name, S3FileStorageOptions options, IAmazonS3? client = null, ILogger<S3FileStorage>? logger = null, TimeProvider? timeProvider = null)
        : base(name, options, new S3FileStorageOptionsValidator(), logger, timeProvider)
    {
        _bucket = options.BucketName;
        string? serviceUrl = options.ServiceUrl ?? client?.Config.ServiceURL;
        _isAws = IsAwsEndpoint(serviceUrl);
        _endpoint = serviceUrl?.TrimEnd('/') ?? $"https://s3.{options.Region}.amazonaws.com";
        _objectParameters = new ObjectParameters(options, options.DefaultAcl ?? (options.Visibility == FileVisibility.Public ? "public-read" : null));
        _partBuffers = System.Buffers.ArrayPool<byte>.Create(options.MultipartPartSize, options.MultipartConcurrency);

        if (client is null)
        {
            _client = CreateClient(options, options.ServiceUrl);
            _ownsClient = true;
        }
        else
        {
            _client = client;
        }

        string? urlEndpoint = options.PublicEndpoint ?? serviceUrl;
        if (options.SignsUrls)
        {
            // Signing is local, but the signature covers the Host, so it is made for the endpoint browsers use.
            _presigningCredentials = CreatePresigningCredentials(options, logger);
            var endpoint = new Uri(urlEndpoint ?? $"https://s3.{options.Region}.amazonaws.com");
            var style = UsesPathStyle(options, urlEndpoint) ? S3AddressingStyle.Path : S3AddressingStyle.VirtualHosted;
            _presigner = new SigV4Presigner(endpoint, options.Region, _bucket, style, _presigningCredentials);
        }

        _plainUrlPrefix = GetPlainUrlPrefix(options, urlEndpoint);
    }

    /// <summary>The S3 client the storage sends its requests through.</summary>
    public IAmazonS3 Client => _client;

    /// <summary>The bucket that holds the files.</summary>
    public string BucketName => _bucket;

    /// <summary>The object key of a stored name: the location prefix and the name.</summary>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public string GetObjectKey(string name)
    {
        FileNames.Validate(name);
        return GetFullKey(name);
    }

    /// <summary>Disposes the S3 clients the storage created (not one passed to it).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        (_presigningCredentials as IDisposable)?.Dispose();
    }

    /// <summary>
    /// The SDK configuration for an endpoint: <see langword="null"/> is AWS in the options' region. For any other
    /// store, checksums are calculated and validated only when an operation requires them: the SDK v4 default
    /// (flexible checksums in aws-chunked trailers on every upload) is rejected or stored wrongly by many
    /// S3-compatible stores, and requests go without <c>Expect: 100-continue</c>, which Ceph RGW mishandles on
    /// early errors. An http endpoint stays http, and its port is kept.
    /// </summary>
    internal static AmazonS3Config CreateConfig(S3FileStorageOptions options, string? serviceUrl)
    {
        var config = new AmazonS3Config();
        if (serviceUrl is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = options.Region;
        }

        config.ForcePathStyle = UsesPathStyle(options, serviceUrl);
        // The factory applies the connect timeout; a request's own timeout is the storage's RequestDeadline.
        config.ConnectTimeout = options.ConnectTimeout;
        config.HttpClientFactory = S3HttpClientFactory.Aws;
        if (!IsAwsEndpoint(serviceUrl))
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
            // Keeps pooled connections in step with stores that mishandle 100-continue (see the factory).
            config.HttpClientFactory = S3HttpClientFactory.NoExpectContinue;
        }

        return config;
    }

    internal static bool IsAwsEndpoint(string? serviceUrl)
    {
        if (serviceUrl is null)
        {
            return true;
        }

        string host = new Uri(serviceUrl).Host;
        return host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool UsesPathStyle(S3FileStorageOptions options, string? serviceUrl) => options.AddressingStyle switch
    {
        S3AddressingStyle.Path => true,
        S3AddressingStyle.VirtualHosted => false,
        // A dotted bucket in a host name breaks TLS certificate matching, so Auto keeps it in the path.
        _ => !IsAwsEndpoint(serviceUrl) || options.BucketName.Contains('.', StringComparison.Ordinal),
    };

    /// <summary>
    /// The credentials URLs are signed with: the configured keys, or the SDK's default chain (instance and container
    /// roles, SSO, web identity, environment, profile), fetched once here and then refreshed in the background ahead
    /// of their expiry, so that signing a URL never waits for the network.
    /// </summary>
    private static PresigningCredentials CreatePresigningCredentials(S3FileStorageOptions options, ILogger? logger)
    {
        if (!string.IsNullOrEmpty(options.AccessKey))
        {
            return PresigningCredentials.Static(options.AccessKey, options.SecretKey ?? "", string.IsNullOrEmpty(options.SessionToken) ? null : options.SessionToken);
        }

        AWSCredentials source;
        try
        {
            source = Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException ex)
        {
            throw new InvalidOperationException(
                "No AWS credentials were found to sign URLs with. Set AccessKey and SecretKey in the storage's options, or configure the AWS SDK's default credential chain (environment, profile, instance role).", ex);
        }

        // A constructor must not wait on the network (an instance role's first fetch can take seconds): the first fetch
        // runs in the background, and only a URL signed before it has finished waits for it.
        return RefreshingPresigningCredentials.Start(source, logger: logger);
    }

    private static AmazonS3Client CreateClient(S3FileStorageOptions options, string? serviceUrl)
    {
        var config = CreateConfig(options, serviceUrl);
        if (string.IsNullOrEmpty(options.AccessKey))
        {
            return new AmazonS3Client(config); // the SDK's default credential chain
        }

        AWSCredentials credentials = string.IsNullOrEmpty(options.SessionToken)
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
        return new AmazonS3Client(credentials, config);
    }

    /// <inheritdoc />
    protected override void ValidateBackendName(string name)
    {
        // Room for the random suffix ("_" + 7 ASCII characters) that an alternative name may add.
        int bytes = System.Text.Encoding.UTF8.GetByteCount(GetFullKey(name)) + FileNames.RandomSuffixLength + 1;
        if (bytes > MaxKeyBytes)
        {
            throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                $"The name '{name}' makes an S3 key of {bytes} UTF-8 bytes (with location and room for a random suffix); S3 keys are at most {MaxKeyBytes} bytes. Use a shorter name or location.");
        }
    }

    /// <inheritdoc />
    protected override async Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken)
    {
        string key = GetFullKey(name);
        GetObjectResponse response;
        try
        {
            response = await CallAsync("GET", key, ct => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            throw new FileNotFoundException($"Storage '{Name}' has no file named '{name}' (no object '{key}' in bucket '{_bucket}').", name, ex);
        }

        if (IsReservation(response.Metadata))
        {
            response.Dispose();
            throw new FileNotFoundException($"Storage '{Name}' has no file named '{name}' yet: its upload is still in progress.", name);
        }

        return new ObjectStream(this, key, response);
    }

    /// <inheritdoc />
    protected override Task DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        string key = GetFullKey(name);
        // S3 answers 204 whether or not the object existed: deleting is idempotent.
        return CallAsync("DELETE", key, ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, ct), cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(GetFullKey(name), cancellationToken).ConfigureAwait(false);
        return head is not null && !IsReservation(head.Metadata);
    }

    /// <inheritdoc />
    protected override async Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(GetFullKey(name), cancellationToken).ConfigureAwait(false);
        if (head is null || IsReservation(head.Metadata))
        {
            return StoredFileInfo.NotFound(name);
        }

        DateTimeOffset? modified = head.LastModified is { } lastModified
            ? new DateTimeOffset(DateTime.SpecifyKind(lastModified.ToUniversalTime(), DateTimeKind.Utc))
            : null;
        return new StoredFileInfo(name, true, head.ContentLength, modified, head.Headers.ContentType);
    }

    /// <inheritdoc />
    protected override async Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken)
    {
        string prefix = directory.Length == 0 ? (Location.Length == 0 ? "" : Location + "/") : GetFullKey(directory) + "/";
        var directories = new List<string>();
        var files = new List<string>();
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = continuation };
            var page = await CallAsync("LIST", prefix, ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (string common in page.CommonPrefixes ?? [])
            {
                directories.Add(common[prefix.Length..].TrimEnd('/'));
            }

            foreach (var item in page.S3Objects ?? [])
            {
                // An empty object may be the name reservation of an unfinished upload, which is not a file (one HEAD
                // each; empty files are rare, and refused unless AllowEmptyFiles is on).
                if (item.Key.Length > prefix.Length && (item.Size != 0 || !await IsReservationAsync(item.Key, cancellationToken).ConfigureAwait(false)))
                {
                    files.Add(item.Key[prefix.Length..]);
                }
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        directories.Sort(StringComparer.Ordinal);
        files.Sort(StringComparer.Ordinal);
        return new StorageListing(directories, files);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A GET, not the HEAD of <see cref="FileStorage.ExistsAsync"/>: a HEAD answer has no body, so a missing bucket is a
    /// 404 like a missing object, and refused keys a bare 403. A GET's error names it: <c>NoSuchKey</c> (healthy),
    /// <c>NoSuchBucket</c>, <c>InvalidAccessKeyId</c>, <c>SignatureDoesNotMatch</c>, <c>AccessDenied</c>.
    /// </remarks>
    protected override Task CheckHealthCoreAsync(string probeName, CancellationToken cancellationToken) =>
        ConfirmBucketAsync(GetFullKey(probeName), cancellationToken); // no such object: the store, the bucket and the credentials all work

    /// <summary>HEAD of a key: its metadata, or <see langword="null"/> when it does not exist.</summary>
    /// <remarks>
    /// A HEAD answer has no body, so a missing bucket is a 404 like a missing object: until the bucket has been seen,
    /// a 404 is asked again with a GET, whose error names it (<c>NoSuchBucket</c> becomes <see cref="StorageUnavailableException"/>).
    /// Once seen, a miss costs one request; a bucket deleted later is the health check's to report.
    /// </remarks>
    /// <exception cref="UnauthorizedAccessException">403: the credentials may lack permission.</exception>
    /// <exception cref="StorageUnavailableException">The bucket does not exist, or the store cannot be reached.</exception>
    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await CallAsync("HEAD", key, ct => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, ct), cancellationToken).ConfigureAwait(false);
            _bucketSeen = true;
            return head;
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            if (!_bucketSeen)
            {
                await ConfirmBucketAsync(key, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
    }

    /// <summary>Throws <see cref="StorageUnavailableException"/> naming the bucket if it does not exist (a GET's error says which 404 it is).</summary>
    private async Task ConfirmBucketAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var found = await CallAsync("GET", key, ct => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            // NoSuchKey: the bucket exists.
        }

        _bucketSeen = true;
    }

    private static bool IsReservation(MetadataCollection? metadata) =>
        metadata is not null && metadata.Keys.Any(k => k.EndsWith(ReservationMetadataKey, StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs one SDK call and turns its failures into Coffer's exceptions (404 and 412 pass through).</summary>
    private Task<T> CallAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(operation, key, (RequestDeadline deadline) => call(deadline.Token), cancellationToken);

    /// <summary>
    /// Runs one SDK call under a <see cref="RequestDeadline"/> of <see cref="S3FileStorageOptions.RequestTimeout"/>
    /// (a call that sends a body watches it with <see cref="RequestDeadline.Watch"/>), and turns its failures into
    /// Coffer's exceptions: a passed deadline into <see cref="StorageUnavailableException"/>, a cancellation by the
    /// caller's token stays one. The SDK does not retry a request whose token was cancelled, so a hung store costs
    /// one timeout, not one per retry. <paramref name="timeout"/> replaces the request timeout for calls known to
    /// be slow.
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, string key, Func<RequestDeadline, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = new RequestDeadline(timeout ?? Options.RequestTimeout, cancellationToken);
        try
        {
            return await call(deadline).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, Name, _bucket, _endpoint, operation, key, cancellationToken, deadline.Expired ? deadline.Timeout : null) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The body of a GET; disposing it releases the response and its connection. Each asynchronous read has a
    /// <see cref="RequestDeadline"/>: a download stops with <see cref="StorageUnavailableException"/> when the store
    /// sends nothing for the request timeout, however long the whole download takes.
    /// </summary>
    private sealed class ObjectStream(S3FileStorage storage, string key, GetObjectResponse response) : ForwardReadStream(response.ResponseStream)
    {
        public override long Length => response.ContentLength;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(storage.CallAsync("GET (body)", key, deadline => base.ReadAsync(buffer, deadline.Token).AsTask(), cancellationToken));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
