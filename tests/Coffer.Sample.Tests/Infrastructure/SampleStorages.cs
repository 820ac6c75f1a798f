namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>
/// Where an app under test keeps its files: it gives the app its settings (as environment variables) and lets the
/// tests look into the store itself, past the app, to see what is really stored.
/// </summary>
public interface ISampleStorage : IAsyncDisposable
{
    /// <summary>Prepares the store for one app and returns the settings that point the app's storages at it.</summary>
    Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken);

    /// <summary>Every object the store holds for the app's storage <paramref name="storage"/> (<c>private</c> or <c>public</c>), by stored name.</summary>
    Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken);

    /// <summary>
    /// The direct uploads the store holds unfinished for the app's storage <paramref name="storage"/>: the files under
    /// <c>.coffer-uploads</c> on disk (which <see cref="ListAsync"/> lists too), the multipart uploads' keys on S3 (which it does not).
    /// </summary>
    Task<IReadOnlyList<string>> ListUnfinishedUploadsAsync(string storage, CancellationToken cancellationToken);

    /// <summary>Whether the app's direct uploads go to S3 (a form up to MultipartThreshold, parts above), rather than to the local disk (always parts).</summary>
    bool IsS3 { get; }
}

/// <summary>The embedded default: no settings at all, so the storages are folders under <c>App_Data/coffer</c> in the content root.</summary>
public sealed class DiskSampleStorage : ISampleStorage
{
    private string _root = "";

    public Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        _root = Path.Combine(contentRoot, "App_Data", "coffer");
        return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
    }

    public Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(_root, storage);
        IReadOnlyList<string> names = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        return Task.FromResult(names);
    }

    public async Task<IReadOnlyList<string>> ListUnfinishedUploadsAsync(string storage, CancellationToken cancellationToken) =>
        [.. (await ListAsync(storage, cancellationToken)).Where(name => name.StartsWith(".coffer-uploads/", StringComparison.Ordinal))];

    public bool IsS3 => false;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the folders go with the content root
}

/// <summary>
/// Both storages on the real Ceph RGW (COFFER_S3_ENDPOINT, COFFER_S3_ACCESS_KEY, COFFER_S3_SECRET_KEY, defaults of
/// scripts/s3-server.sh), in a bucket of their own per app; the bucket is emptied and removed afterwards.
/// </summary>
public sealed class S3SampleStorage : ISampleStorage
{
    /// <summary>The S3 test server (COFFER_S3_ENDPOINT).</summary>
    internal static readonly string Endpoint = Setting("COFFER_S3_ENDPOINT", "http://127.0.0.1:4568");
    private static readonly string AccessKey = Setting("COFFER_S3_ACCESS_KEY", "CIACCESSKEY0000000001");
    private static readonly string SecretKey = Setting("COFFER_S3_SECRET_KEY", "ci-secret-key-0000000000000000000000001");
    private readonly string _bucket = "coffer-sample-" + Guid.NewGuid().ToString("N")[..12];
    private readonly Amazon.S3.AmazonS3Client _client = new(
        new Amazon.Runtime.BasicAWSCredentials(AccessKey, SecretKey),
        new Amazon.S3.AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public async Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(_bucket, cancellationToken);
            // What a browser needs to send direct uploads straight to the bucket (docs/s3.md): the page's origin is a loopback port.
            await _client.PutCORSConfigurationAsync(new Amazon.S3.Model.PutCORSConfigurationRequest
            {
                BucketName = _bucket,
                Configuration = new Amazon.S3.Model.CORSConfiguration
                {
                    Rules = [new Amazon.S3.Model.CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["PUT", "POST"], AllowedHeaders = ["*"], ExposeHeaders = ["ETag"] }],
                },
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or HttpRequestException)
        {
            throw new InvalidOperationException($"The S3 test server does not answer at {Endpoint}: run scripts/s3-server.sh start. ({ex.Message})", ex);
        }

        return Settings(_bucket, Endpoint, AccessKey, SecretKey);
    }

    /// <summary>The settings that put both of an app's storages in <paramref name="bucket"/> on the S3 server at <paramref name="endpoint"/>.</summary>
    public static IReadOnlyDictionary<string, string> Settings(string bucket, string endpoint, string accessKey, string secretKey) =>
        Coffer.TestSupport.SampleS3Settings.For(bucket, endpoint, accessKey, secretKey);

    public async Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken)
    {
        var listing = await _client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket, Prefix = storage + "/" }, cancellationToken);
        return (listing.S3Objects ?? []).Select(o => o.Key[(storage.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<string>> ListUnfinishedUploadsAsync(string storage, CancellationToken cancellationToken)
    {
        var listing = await _client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = _bucket, Prefix = storage + "/" }, cancellationToken);
        return (listing.MultipartUploads ?? []).Select(u => u.Key[(storage.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
    }

    public bool IsS3 => true;

    public async ValueTask DisposeAsync()
    {
        // A bucket with unfinished multipart uploads (a test that failed halfway) cannot be removed.
        var uploads = await _client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = _bucket });
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await _client.AbortMultipartUploadAsync(_bucket, upload.Key, upload.UploadId);
        }

        var listing = await _client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket });
        foreach (var item in listing.S3Objects ?? [])
        {
            await _client.DeleteObjectAsync(_bucket, item.Key);
        }

        await _client.DeleteBucketAsync(_bucket);
        _client.Dispose();
    }

    private static string Setting(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;
}

/// <summary>
/// Both storages on an S3 server that is down: a loopback port that nothing listens on, so every request is refused
/// at once. Nothing can be stored there, so there is nothing to list.
/// </summary>
public sealed class UnreachableS3SampleStorage : ISampleStorage
{
    /// <summary>The endpoint the app is pointed at.</summary>
    public string Endpoint { get; } = $"http://127.0.0.1:{Coffer.TestSupport.LoopbackPort.Free()}";

    public Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken) =>
        Task.FromResult(S3SampleStorage.Settings("coffer-sample-down", Endpoint, "DOWNACCESSKEY", "down-secret-key"));

    public Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The S3 server of this storage is down: nothing is stored there.");

    public Task<IReadOnlyList<string>> ListUnfinishedUploadsAsync(string storage, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The S3 server of this storage is down: nothing is stored there.");

    public bool IsS3 => true;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
