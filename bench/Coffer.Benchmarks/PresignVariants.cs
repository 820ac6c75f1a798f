using Coffer.S3;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3.Presigning;
using Minio;
using Minio.DataModel.Args;

namespace Coffer.Benchmarks;

/// <summary>
/// The three presigners under test, configured alike: path-style GET URLs for the same keys on the same endpoint,
/// region and credentials, valid for one hour. The endpoint is a closed port, so any network I/O would fail loudly.
/// </summary>
public sealed class PresignVariants : IDisposable
{
    public const string Bucket = "coffer-bench";
    public const string Region = "us-east-1";
    public const string AccessKey = "CIACCESSKEY0000000001";
    public const string SecretKey = "ci-secret-key-0000000000000000000000001";
    public static readonly Uri Endpoint = new("http://127.0.0.1:9");
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    private readonly SigV4Presigner _coffer;
    private readonly AmazonS3Client _aws;
    private readonly IMinioClient _minio;
    private readonly S3FileStorage _storage;
    private int _next;

    public PresignVariants()
    {
        Keys = CreateKeys(256);
        _coffer = new SigV4Presigner(Endpoint, Region, Bucket, S3AddressingStyle.Path, PresigningCredentials.Static(AccessKey, SecretKey));
        _aws = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = Region,
        });
        // The same presigner behind the storage contract: name checks and telemetry (nobody listens) on top.
        _storage = new S3FileStorage("bench", new S3FileStorageOptions
        {
            BucketName = Bucket,
            ServiceUrl = Endpoint.ToString(),
            Region = Region,
            AddressingStyle = S3AddressingStyle.Path,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
        });
        _minio = new MinioClient().WithEndpoint(Endpoint.Host, Endpoint.Port).WithCredentials(AccessKey, SecretKey).WithRegion(Region).WithSSL(false).Build();
    }

    /// <summary>Names like the ones Coffer's name pipeline produces, plus a few with spaces and Unicode.</summary>
    public string[] Keys { get; }

    public string Coffer() => _coffer.Presign(PresignMethod.Get, NextKey(), DateTimeOffset.UtcNow, Expiry).Url;

    public string CofferStorage() => _storage.GetUrl(NextKey()).Url;

    public string AwsSdk() => _aws.GetPreSignedURL(new GetPreSignedUrlRequest
    {
        BucketName = Bucket,
        Key = NextKey(),
        Verb = HttpVerb.GET,
        Expires = DateTime.UtcNow + Expiry,
        Protocol = Protocol.HTTP,
    });

    public string Minio() => _minio.PresignedGetObjectAsync(new PresignedGetObjectArgs()
        .WithBucket(Bucket)
        .WithObject(NextKey())
        .WithExpiry((int)Expiry.TotalSeconds)).GetAwaiter().GetResult();

    public void Dispose()
    {
        _aws.Dispose();
        _minio.Dispose();
        _storage.Dispose();
    }

    private string NextKey() => Keys[_next++ & (Keys.Length - 1)];

    private static string[] CreateKeys(int count)
    {
        var random = new Random(42);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        string[] stems = ["report", "invoice 2024", "photo", "Größe", "contrat-signé", "scan (1)", "slides_final"];
        string[] extensions = [".pdf", ".jpg", ".png", ".docx", ".mp4"];
        var keys = new string[count];
        for (int i = 0; i < count; i++)
        {
            string suffix = string.Create(7, random, static (span, r) =>
            {
                for (int c = 0; c < span.Length; c++)
                {
                    span[c] = alphabet[r.Next(alphabet.Length)];
                }
            });
            keys[i] = $"private/files/{stems[random.Next(stems.Length)]}_{suffix}{extensions[random.Next(extensions.Length)]}";
        }

        return keys;
    }
}
