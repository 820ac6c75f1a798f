using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Util;

namespace Coffer.S3.Tests.Presigning;

/// <summary>
/// The real Ceph RGW (COFFER_S3_ENDPOINT, default http://127.0.0.1:4568) with one bucket of objects under hostile
/// keys, each holding distinct bytes. Fails, never skips, when the server is not running.
/// </summary>
public sealed class RgwBucketFixture : IAsyncLifetime
{
    public const string BucketName = "coffer-presign-tests";

    /// <summary>RGW's <c>rgw_dns_name</c>: virtual-hosted URLs are <c>bucket.s3.localhost:port</c>.</summary>
    public const string VirtualHostDomain = "s3.localhost";

    public RgwBucketFixture()
    {
        Endpoint = new Uri(Environment.GetEnvironmentVariable("COFFER_S3_ENDPOINT") ?? "http://127.0.0.1:4568");
        AccessKey = Environment.GetEnvironmentVariable("COFFER_S3_ACCESS_KEY") ?? "CIACCESSKEY0000000001";
        SecretKey = Environment.GetEnvironmentVariable("COFFER_S3_SECRET_KEY") ?? "ci-secret-key-0000000000000000000000001";
        Client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        Http = new HttpClient(new SocketsHttpHandler
        {
            // bucket.s3.localhost resolves to loopback by RFC 6761; connect there explicitly rather than trusting the resolver.
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            AllowAutoRedirect = false,
        });
    }

    public Uri Endpoint { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public AmazonS3Client Client { get; }

    public HttpClient Http { get; }

    /// <summary>Every stored key with its content.</summary>
    public Dictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    public Uri VirtualHostEndpoint => new($"{Endpoint.Scheme}://{VirtualHostDomain}:{Endpoint.Port}");

    public async Task InitializeAsync()
    {
        try
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using HttpResponseMessage response = await probe.GetAsync(Endpoint);
        }
        catch (HttpRequestException exception)
        {
            throw new InvalidOperationException($"No S3 server answers at {Endpoint}. Start Ceph RGW with: scripts/s3-server.sh start", exception);
        }

        if (!await AmazonS3Util.DoesS3BucketExistV2Async(Client, BucketName))
        {
            try
            {
                await Client.PutBucketAsync(new PutBucketRequest { BucketName = BucketName });
            }
            catch (AmazonS3Exception exception) when (exception.ErrorCode is "BucketAlreadyOwnedByYou")
            {
                // created concurrently
            }
        }

        foreach (string key in HostileKeys.Fixed.Concat(HostileKeys.Random(150, seed: 4568)))
        {
            byte[] content = RandomNumberGenerator.GetBytes(64 + (key.Length % 200));
            using var stream = new MemoryStream(content);
            await Client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = key, InputStream = stream, ContentType = "application/x-coffer-test" });
            Objects[key] = content;
        }
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        return Task.CompletedTask;
    }
}
