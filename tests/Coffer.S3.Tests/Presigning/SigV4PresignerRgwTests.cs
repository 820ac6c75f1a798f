using Coffer.S3;
using System.Net;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

/// <summary>Presigned URLs against the real Ceph RGW: they fetch their objects, and any meaningful one-character change is refused.</summary>
[Collection(AwsSdkClockTests.Name)]
public sealed class SigV4PresignerRgwTests(RgwBucketFixture rgw) : IClassFixture<RgwBucketFixture>
{
    private static readonly ResponseOverrides[] Overrides =
    [
        ResponseOverrides.None,
        new() { ContentType = "text/plain; charset=utf-8", CacheControl = "private, max-age=60" },
        ResponseOverrides.Attachment("Bericht Größe (1) 😀.pdf", "application/pdf"),
    ];

    [Theory]
    [InlineData(S3AddressingStyle.Path)]
    [InlineData(S3AddressingStyle.VirtualHosted)]
    public async Task Every_hostile_key_is_fetched_with_the_same_url_the_aws_sdk_signs(S3AddressingStyle style)
    {
        Uri endpoint = style == S3AddressingStyle.Path ? rgw.Endpoint : rgw.VirtualHostEndpoint;
        var credentials = new SigningCredentials(rgw.AccessKey, rgw.SecretKey);
        var presigner = new SigV4Presigner(endpoint, "us-east-1", RgwBucketFixture.BucketName, style, PresigningCredentials.Static(credentials));
        using var sdk = AwsSdkPresigner.ForServiceUrl(endpoint, "us-east-1", RgwBucketFixture.BucketName, style, credentials);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using var clock = AwsSdkClock.FixedAt(now);
        int i = 0;
        foreach ((string key, byte[] content) in rgw.Objects)
        {
            ResponseOverrides overrides = Overrides[i++ % Overrides.Length];
            TimeSpan expiry = TimeSpan.FromSeconds(60 + (i % 3600));
            string url = presigner.Presign(PresignMethod.Get, key, now, expiry, overrides).Url;
            Assert.Equal(sdk.Presign(PresignMethod.Get, key, now, expiry, overrides), url);

            using HttpResponseMessage response = await rgw.Http.GetAsync(url);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode} for key '{key}': {await response.Content.ReadAsStringAsync()}\n{url}");
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(overrides.ContentType ?? "application/x-coffer-test", response.Content.Headers.ContentType?.ToString());
            if (overrides.ContentDisposition is { } disposition)
            {
                Assert.Equal(disposition, response.Content.Headers.NonValidated["Content-Disposition"].ToString());
            }

            if (overrides.CacheControl is { } cacheControl)
            {
                Assert.Equal(cacheControl, response.Headers.NonValidated["Cache-Control"].ToString());
            }
        }
    }

    public static TheoryData<string, string, Func<string, int>> Tampering => new()
    {
        // A letter of the key's last path segment: another key, which the signature does not cover.
        { "key", "a letter of the object key", url => url.LastIndexOf('/', url.IndexOf('?', StringComparison.Ordinal)) + 1 },
        // The bucket in the path: the canonical URI changes.
        { "bucket", "a letter of the bucket", url => url.IndexOf(RgwBucketFixture.BucketName, StringComparison.Ordinal) + 1 },
        // The seconds of X-Amz-Date: the string to sign changes.
        { "date", "a digit of X-Amz-Date", url => url.IndexOf("X-Amz-Date=", StringComparison.Ordinal) + "X-Amz-Date=20130524T00000".Length },
        // The day in the credential scope: another signing key.
        { "credential scope", "a digit of the credential's date", url => url.IndexOf("%2F", url.IndexOf("X-Amz-Credential=", StringComparison.Ordinal), StringComparison.Ordinal) + "%2F2013052".Length },
        // The access key id: another user.
        { "credential key id", "a letter of the access key id", url => url.IndexOf("X-Amz-Credential=", StringComparison.Ordinal) + "X-Amz-Credential=".Length + 2 },
        // The expiry: a longer or shorter life than was signed.
        { "expires", "a digit of X-Amz-Expires", url => url.IndexOf("X-Amz-Expires=", StringComparison.Ordinal) + "X-Amz-Expires=".Length },
        // The signature itself: another hex digit (not another case of the same digit, which is the same value).
        { "signature", "a hex digit of X-Amz-Signature", url => url.Length - 10 },
        // An override value: the response headers were signed.
        { "override", "a letter of response-content-type", url => url.IndexOf("response-content-type=", StringComparison.Ordinal) + "response-content-type=".Length + 1 },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Changing_one_character_of_the_url_is_refused(string position, string what, Func<string, int> index)
    {
        _ = what;
        var presigner = new SigV4Presigner(rgw.Endpoint, "us-east-1", RgwBucketFixture.BucketName, S3AddressingStyle.Path, PresigningCredentials.Static(rgw.AccessKey, rgw.SecretKey));
        string key = HostileKeys.Fixed[1]; // private/files/report.pdf
        string url = presigner.Presign(PresignMethod.Get, key, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), new ResponseOverrides { ContentType = "text/plain" }).Url;
        using (HttpResponseMessage untouched = await rgw.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, untouched.StatusCode);
        }

        string tampered = ChangeCharacter(url, index(url));
        using HttpResponseMessage response = await rgw.Http.GetAsync(tampered);

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{position}: {response.StatusCode} for {tampered}");
    }

    [Fact]
    public async Task An_expired_url_is_refused()
    {
        var presigner = new SigV4Presigner(rgw.Endpoint, "us-east-1", RgwBucketFixture.BucketName, S3AddressingStyle.Path, PresigningCredentials.Static(rgw.AccessKey, rgw.SecretKey));
        string url = presigner.Presign(PresignMethod.Get, HostileKeys.Fixed[0], DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromMinutes(1)).Url;

        using HttpResponseMessage response = await rgw.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Presigned_put_uploads_and_presigned_head_reads_the_object()
    {
        var presigner = new SigV4Presigner(rgw.Endpoint, "us-east-1", RgwBucketFixture.BucketName, S3AddressingStyle.Path, PresigningCredentials.Static(rgw.AccessKey, rgw.SecretKey));
        string key = "uploads/presigned put (1) é+😀.bin";
        byte[] content = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        DateTimeOffset now = DateTimeOffset.UtcNow;

        using HttpResponseMessage put = await rgw.Http.PutAsync(presigner.Presign(PresignMethod.Put, key, now, TimeSpan.FromMinutes(5)).Url, new ByteArrayContent(content));
        using var head = new HttpRequestMessage(HttpMethod.Head, presigner.Presign(PresignMethod.Head, key, now, TimeSpan.FromMinutes(5)).Url);
        using HttpResponseMessage headResponse = await rgw.Http.SendAsync(head);
        using HttpResponseMessage get = await rgw.Http.GetAsync(presigner.Presign(PresignMethod.Get, key, now, TimeSpan.FromMinutes(5)).Url);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(content.Length, headResponse.Content.Headers.ContentLength);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_get_url_does_not_allow_a_put()
    {
        var presigner = new SigV4Presigner(rgw.Endpoint, "us-east-1", RgwBucketFixture.BucketName, S3AddressingStyle.Path, PresigningCredentials.Static(rgw.AccessKey, rgw.SecretKey));
        string url = presigner.Presign(PresignMethod.Get, "uploads/not-allowed.bin", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Url;

        using HttpResponseMessage put = await rgw.Http.PutAsync(url, new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    private static string ChangeCharacter(string url, int index)
    {
        char c = url[index];
        char replacement = c switch
        {
            >= '0' and < '9' => (char)(c + 1),
            '9' => '0',
            >= 'a' and < 'f' => (char)(c + 1), // stays a hex digit inside the signature
            'f' => 'a',
            >= 'g' and < 'z' => (char)(c + 1),
            'z' => 'a',
            >= 'A' and < 'Z' => (char)(c + 1),
            'Z' => 'A',
            _ => throw new InvalidOperationException($"Position {index} holds '{c}', which is not a letter or digit; pick another position."),
        };
        return string.Concat(url.AsSpan(0, index), [replacement], url.AsSpan(index + 1));
    }
}
