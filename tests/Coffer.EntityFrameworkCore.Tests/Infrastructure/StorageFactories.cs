using Coffer.Local;
using Coffer.Signing;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// Makes the storages one test class uses. The suite runs against every factory: local disk, and S3 on the real
/// Ceph RGW of <c>scripts/s3-server.sh</c>.
/// </summary>
public interface IStorageFactory : IAsyncDisposable
{
    /// <summary>Where the signed URLs of the private storage start (the name follows).</summary>
    string PrivateUrlPrefix { get; }

    /// <summary>The query parameter that carries a signed URL's signature.</summary>
    string SignatureParameter { get; }

    /// <summary>Prepares the backing store (a bucket); runs before the first <see cref="Create"/>.</summary>
    Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Creates the storage <paramref name="name"/>, empty, with a BaseUrl so URLs can be made. Its names are Django's
    /// (<see cref="FileStorageOptions.UniqueNames"/> off), so the suite can name what it expects to find: it is about
    /// the unit of work, and private storages' unique names are tested with each backend and in the sample end to end.
    /// With <paramref name="uniqueNames"/>, names get their token, as a private storage's do by default: the uploads the
    /// ledger records as pending.
    /// </summary>
    FileStorage Create(string name, FileVisibility visibility, bool uniqueNames = false);
}

/// <summary>Local-disk storages in a temporary folder per test class.</summary>
public sealed class LocalStorageFactory : IStorageFactory
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "coffer-ef-" + Guid.NewGuid().ToString("N")[..12]);

    public string PrivateUrlPrefix => "/media/private/";

    public string SignatureParameter => "sig=";

    public FileStorage Create(string name, FileVisibility visibility, bool uniqueNames = false)
    {
        var options = new LocalFileStorageOptions
        {
            RootPath = _root,
            Location = name,
            Visibility = visibility,
            UniqueNames = uniqueNames,
            BaseUrl = visibility == FileVisibility.Private ? "/media/private/" : "/media/",
        };
        if (visibility == FileVisibility.Private)
        {
            options.SigningKeys.Add(UrlSigningKey.Generate("k1"));
        }

        return new LocalFileStorage(name, options);
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// S3 storages on the real Ceph RGW (COFFER_S3_ENDPOINT, COFFER_S3_ACCESS_KEY, COFFER_S3_SECRET_KEY, with the
/// defaults of scripts/s3-server.sh), in a bucket of their own per test class; the bucket is emptied and removed after.
/// </summary>
public sealed class S3StorageFactory : IStorageFactory
{
    private static readonly string Endpoint = Setting("COFFER_S3_ENDPOINT", "http://127.0.0.1:4568");
    private readonly string _bucket = "coffer-ef-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<Coffer.S3.S3FileStorage> _storages = [];
    private Coffer.S3.S3FileStorage? _admin;

    public string PrivateUrlPrefix => $"{Endpoint}/{_bucket}/private/";

    public string SignatureParameter => "X-Amz-Signature=";

    public async Task InitializeAsync()
    {
        _admin = (Coffer.S3.S3FileStorage)Create("admin", FileVisibility.Private);
        try
        {
            await _admin.Client.PutBucketAsync(_bucket);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"The S3 test server does not answer at {Endpoint}: run scripts/s3-server.sh start. ({ex.Message})", ex);
        }
    }

    public FileStorage Create(string name, FileVisibility visibility, bool uniqueNames = false)
    {
        var storage = new Coffer.S3.S3FileStorage(name, new Coffer.S3.S3FileStorageOptions
        {
            BucketName = _bucket,
            ServiceUrl = Endpoint,
            AccessKey = Setting("COFFER_S3_ACCESS_KEY", "CIACCESSKEY0000000001"),
            SecretKey = Setting("COFFER_S3_SECRET_KEY", "ci-secret-key-0000000000000000000000001"),
            Location = name,
            Visibility = visibility,
            UniqueNames = uniqueNames,
        });
        _storages.Add(storage);
        return storage;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            var listing = await _admin.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket });
            foreach (var item in listing.S3Objects ?? [])
            {
                await _admin.Client.DeleteObjectAsync(_bucket, item.Key);
            }

            await _admin.Client.DeleteBucketAsync(_bucket);
        }

        foreach (var storage in _storages)
        {
            storage.Dispose();
        }
    }

    private static string Setting(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;
}
