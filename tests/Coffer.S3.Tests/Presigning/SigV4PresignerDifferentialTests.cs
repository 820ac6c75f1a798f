using Coffer.S3;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

/// <summary>
/// The presigner's URLs are byte-for-byte those of AWSSDK.S3 4.1.0's GetPreSignedURL, for thousands of hostile
/// keys, several endpoints, regions and both addressing styles, with and without session tokens and overrides.
/// </summary>
[Collection(AwsSdkClockTests.Name)]
public sealed class SigV4PresignerDifferentialTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token/with+slashes==";

    private static readonly DateTimeOffset[] Times =
    [
        new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999),
        new(2031, 12, 31, 12, 34, 56, TimeSpan.FromHours(5)),
    ];

    private static readonly TimeSpan[] Expiries = [TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), TimeSpan.FromDays(7), TimeSpan.FromSeconds(86_399)];

    private static readonly ResponseOverrides[] Overrides =
    [
        ResponseOverrides.None,
        new() { ContentType = "application/pdf" },
        new() { ContentDisposition = "attachment; filename=\"r é+p&o=r t.pdf\"; filename*=UTF-8''r%C3%A9p.pdf", CacheControl = "private, max-age=3600" },
        new() { ContentType = "text/plain; charset=utf-8", ContentDisposition = "inline", CacheControl = "no-cache" },
        ResponseOverrides.Attachment("Bericht Größe (final) 😀.pdf", "application/octet-stream"),
    ];

    public static TheoryData<string, string, string, S3AddressingStyle> ServiceUrlEndpoints => new()
    {
        { "ceph path", "http://127.0.0.1:4568", "us-east-1", S3AddressingStyle.Path },
        { "ceph virtual-hosted", "http://s3.localhost:4568", "us-east-1", S3AddressingStyle.VirtualHosted },
        { "minio https port path", "https://minio.example.com:9000", "eu-central-1", S3AddressingStyle.Path },
        { "minio https port virtual-hosted", "https://minio.example.com:9000", "eu-central-1", S3AddressingStyle.VirtualHosted },
        { "r2-like default port", "https://account.r2.cloudflarestorage.com", "auto", S3AddressingStyle.Path },
        { "http default port virtual-hosted", "http://storage.example.org", "ap-southeast-2", S3AddressingStyle.VirtualHosted },
    };

    public static TheoryData<string, S3AddressingStyle> AwsRegions => new()
    {
        { "us-east-1", S3AddressingStyle.VirtualHosted },
        { "us-east-1", S3AddressingStyle.Path },
        { "eu-west-1", S3AddressingStyle.VirtualHosted },
        { "ap-southeast-2", S3AddressingStyle.Path },
        { "sa-east-1", S3AddressingStyle.VirtualHosted },
    };

    [Theory]
    [MemberData(nameof(ServiceUrlEndpoints))]
    public void Urls_for_s3_compatible_endpoints_equal_the_aws_sdk_urls(string name, string endpoint, string region, S3AddressingStyle style)
    {
        _ = name;
        AssertSameAsSdk(new Uri(endpoint), region, style, (credentials) => AwsSdkPresigner.ForServiceUrl(new Uri(endpoint), region, "coffer-presign-tests", style, credentials), seed: StableSeed(endpoint) ^ (int)style);
    }

    [Theory]
    [MemberData(nameof(AwsRegions))]
    public void Urls_for_aws_regions_equal_the_aws_sdk_urls(string region, S3AddressingStyle style)
    {
        var endpoint = new Uri($"https://s3.{region}.amazonaws.com");
        AssertSameAsSdk(endpoint, region, style, (credentials) => AwsSdkPresigner.ForAwsRegion(region, "coffer-presign-tests", style, credentials), seed: region.Length * 31 + (int)style);
    }

    [Fact]
    public void Head_and_put_urls_equal_the_aws_sdk_urls()
    {
        var endpoint = new Uri("http://127.0.0.1:4568");
        var credentials = new SigningCredentials(AccessKey, SecretKey, SessionToken);
        var presigner = new SigV4Presigner(endpoint, "us-east-1", "coffer-presign-tests", S3AddressingStyle.Path, PresigningCredentials.Static(credentials));
        using var sdk = AwsSdkPresigner.ForServiceUrl(endpoint, "us-east-1", "coffer-presign-tests", S3AddressingStyle.Path, credentials);
        using var clock = AwsSdkClock.FixedAt(Times[0]);
        foreach (string key in HostileKeys.Fixed)
        {
            Assert.Equal(sdk.Presign(PresignMethod.Head, key, Times[0], TimeSpan.FromMinutes(5)), presigner.Presign(PresignMethod.Head, key, Times[0], TimeSpan.FromMinutes(5)).Url);
            Assert.Equal(sdk.Presign(PresignMethod.Put, key, Times[0], TimeSpan.FromMinutes(5)), presigner.Presign(PresignMethod.Put, key, Times[0], TimeSpan.FromMinutes(5)).Url);
        }
    }

    [Fact]
    public void Portable_and_native_hash_engines_sign_identically()
    {
        var credentials = PresigningCredentials.Static(AccessKey, SecretKey, SessionToken);
        var endpoint = new Uri("https://s3.eu-west-1.amazonaws.com");
        var portable = new SigV4Presigner(endpoint, "eu-west-1", "coffer-presign-tests", S3AddressingStyle.VirtualHosted, credentials, Coffer.S3.Presigning.Internal.PortableSha256Engine.Instance);
        var fastest = new SigV4Presigner(endpoint, "eu-west-1", "coffer-presign-tests", S3AddressingStyle.VirtualHosted, credentials);
        foreach (string key in HostileKeys.Random(500, seed: 7).Concat(HostileKeys.Fixed))
        {
            Assert.Equal(portable.Presign(PresignMethod.Get, key, Times[1], TimeSpan.FromHours(1), Overrides[4]).Url, fastest.Presign(PresignMethod.Get, key, Times[1], TimeSpan.FromHours(1), Overrides[4]).Url);
        }
    }

    private static void AssertSameAsSdk(Uri endpoint, string region, S3AddressingStyle style, Func<SigningCredentials, AwsSdkPresigner> createSdk, int seed)
    {
        List<string> keys = [.. HostileKeys.Fixed, .. HostileKeys.Random(400, seed)];
        var random = new Random(seed);
        int compared = 0;
        foreach (string? token in new[] { null, SessionToken })
        {
            var credentials = new SigningCredentials(AccessKey, SecretKey, token);
            var presigner = new SigV4Presigner(endpoint, region, "coffer-presign-tests", style, PresigningCredentials.Static(credentials));
            using AwsSdkPresigner sdk = createSdk(credentials);
            using var clock = AwsSdkClock.FixedAt(Times[0]);
            foreach (string key in keys)
            {
                DateTimeOffset now = Times[random.Next(Times.Length)];
                TimeSpan expiry = Expiries[random.Next(Expiries.Length)];
                ResponseOverrides overrides = Overrides[random.Next(Overrides.Length)];
                clock.Set(now);
                string expected = sdk.Presign(PresignMethod.Get, key, now, expiry, overrides);
                string actual = presigner.Presign(PresignMethod.Get, key, now, expiry, overrides).Url;
                Assert.True(expected == actual, $"Key {key}\nexpected {expected}\nactual   {actual}");
                compared++;
            }
        }

        Assert.Equal(2 * (HostileKeys.Fixed.Count + 400), compared);
    }

    // string.GetHashCode is randomized per process; a failing case must come back with the same keys on the next run.
    private static int StableSeed(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));
}
