using Amazon.S3;
using Amazon.S3.Model;
using Amazon.Runtime;

namespace Coffer.S3.Tests;

/// <summary>
/// The real S3 server of the integration tests (Ceph RGW from <c>scripts/s3-server.sh start</c>). Reads
/// COFFER_S3_ENDPOINT, COFFER_S3_ACCESS_KEY and COFFER_S3_SECRET_KEY; fails every test of the collection, with the
/// command that starts the server, when nothing answers.
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    public string Endpoint { get; } = Environment.GetEnvironmentVariable("COFFER_S3_ENDPOINT") is { Length: > 0 } e ? e : "http://127.0.0.1:4568";
    public string AccessKey { get; } = Environment.GetEnvironmentVariable("COFFER_S3_ACCESS_KEY") is { Length: > 0 } a ? a : "CIACCESSKEY0000000001";
    public string SecretKey { get; } = Environment.GetEnvironmentVariable("COFFER_S3_SECRET_KEY") is { Length: > 0 } s ? s : "ci-secret-key-0000000000000000000000001";
    public string Region { get; } = Environment.GetEnvironmentVariable("COFFER_S3_REGION") is { Length: > 0 } r ? r : "us-east-1";

    /// <summary>A client with the test keys, for setting up and checking what the storage did.</summary>
    public IAmazonS3 Client { get; private set; } = null!;

    /// <summary>A client for anonymous HTTP requests, like a browser's.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var options = new S3FileStorageOptions { BucketName = "unused", ServiceUrl = Endpoint, Region = Region };
        var config = S3FileStorage.CreateConfig(options, Endpoint);
        config.MaxErrorRetry = 0;
        config.Timeout = TimeSpan.FromSeconds(5);
        Client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), config);
        try
        {
            await Client.ListBucketsAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                $"The S3 test server does not answer at {Endpoint} ({ex.GetType().Name}: {ex.Message}). "
                + "Run scripts/s3-server.sh start (or set COFFER_S3_ENDPOINT, COFFER_S3_ACCESS_KEY and COFFER_S3_SECRET_KEY).", ex);
        }
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Options for a storage on <paramref name="bucket"/> of this server with the test keys.</summary>
    public S3FileStorageOptions Options(string bucket, FileVisibility visibility = FileVisibility.Private) => new()
    {
        BucketName = bucket,
        ServiceUrl = Endpoint,
        Region = Region,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        Visibility = visibility,
    };

    public async Task CreateBucketAsync(string bucket) => await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    /// <summary>Deletes a bucket with everything in it, unfinished multipart uploads included.</summary>
    public async Task DeleteBucketAsync(string bucket)
    {
        var uploads = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await Client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }

        string? token = null;
        do
        {
            var page = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            if (page.S3Objects is { Count: > 0 } objects)
            {
                await Client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })] });
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        await Client.DeleteBucketAsync(bucket);
    }
}

[CollectionDefinition(Name)]
public sealed class S3ServerCollectionDefinition : ICollectionFixture<S3Server>
{
    public const string Name = "S3 server";
}

/// <summary>An integration test class: its own bucket on the real server, deleted afterwards.</summary>
[Collection(S3ServerCollectionDefinition.Name)]
public abstract class S3TestBase : IAsyncLifetime
{
    protected S3TestBase(S3Server server)
    {
        Server = server;
        // One bucket per test class: coffer-<class name in kebab case>-<random>, a valid DNS name.
        string kebab = string.Concat(GetType().Name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
        kebab = kebab.Length > 40 ? kebab[..40].TrimEnd('-') : kebab;
        Bucket = $"coffer-{kebab}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    protected S3Server Server { get; }

    protected string Bucket { get; }

    private readonly List<S3FileStorage> _storages = [];

    public virtual Task InitializeAsync() => Server.CreateBucketAsync(Bucket);

    public virtual async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            storage.Dispose();
        }

        await Server.DeleteBucketAsync(Bucket);
    }

    /// <summary>A storage on this class's bucket; <paramref name="configure"/> adjusts its options.</summary>
    protected S3FileStorage CreateStorage(FileVisibility visibility = FileVisibility.Private, Action<S3FileStorageOptions>? configure = null)
    {
        var options = Server.Options(Bucket, visibility);
        configure?.Invoke(options);
        var storage = new S3FileStorage(visibility == FileVisibility.Private ? "private" : "public", options);
        _storages.Add(storage);
        return storage;
    }

    protected async Task<byte[]> ReadObjectAsync(string key)
    {
        using var response = await Server.Client.GetObjectAsync(Bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
