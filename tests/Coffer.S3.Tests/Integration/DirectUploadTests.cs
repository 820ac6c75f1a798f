using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// Direct uploads against the real Ceph RGW, sent as a browser sends them. What RGW 16 enforces, as these tests found:
/// on a POST form, the signature, the expiration, every exact condition (key, Content-Type, acl) and
/// content-length-range; on a presigned part PUT, the signed Content-Length header (any other length is a
/// SignatureDoesNotMatch, since the canonical request has the header the client really sent).
/// </summary>
public sealed class DirectUploadTests(S3Server server) : S3TestBase(server)
{
    private const int MiB = 1024 * 1024;
    private const string Origin = "https://app.example";

    [Fact]
    public async Task A_post_within_the_policy_stores_exactly_the_bytes_under_the_key_with_the_type()
    {
        var storage = CreateStorage(configure: o => o.Location = "uploads");
        byte[] bytes = RandomNumberGenerator.GetBytes(1000);
        var form = storage.CreateUploadForm("docs/Rapport d'été.pdf", bytes.Length, "application/pdf", TimeSpan.FromMinutes(5));

        using var response = await PostAsync(form, bytes);

        Assert.True(response.IsSuccessStatusCode, await DescribeAsync(response));
        Assert.Equal(bytes, await ReadObjectAsync("uploads/docs/Rapport d'été.pdf"));
        Assert.True(await storage.ExistsAsync("docs/Rapport d'été.pdf"));
        var info = await storage.GetInfoAsync("docs/Rapport d'été.pdf");
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal("application/pdf", info.ContentType);
    }

    public static TheoryData<string> Tampering => ["one byte over the maximum", "another key", "another content type", "policy", "signature", "no acl field"];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_post_outside_its_policy_is_refused_with_nothing_stored(string change)
    {
        var storage = CreateStorage(configure: o => o.DefaultAcl = "private");
        byte[] bytes = RandomNumberGenerator.GetBytes(change == "one byte over the maximum" ? 101 : 100);
        var form = storage.CreateUploadForm("a.txt", 100, "text/plain", TimeSpan.FromMinutes(5));
        var fields = form.Fields.ToList();
        Assert.Contains(new KeyValuePair<string, string>("acl", "private"), fields);
        switch (change)
        {
            case "another key": Replace(fields, "key", v => "b.txt"); break;
            case "another content type": Replace(fields, "Content-Type", v => "text/html"); break;
            case "policy": Replace(fields, "policy", Flip); break;
            case "signature": Replace(fields, "x-amz-signature", Flip); break;
            case "no acl field": fields.RemoveAll(f => f.Key == "acl"); break;
        }

        using var response = await PostAsync(new Form(form.Url, fields), bytes);

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, await DescribeAsync(response));
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task An_expired_post_is_refused_with_nothing_stored()
    {
        // Signed ten minutes ago for five: RGW compares the policy's expiration with its own clock.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));
        using var storage = new S3FileStorage("private", Server.Options(Bucket), timeProvider: time);
        var form = storage.CreateUploadForm("a.txt", 100, "text/plain", TimeSpan.FromMinutes(5));

        using var response = await PostAsync(form, RandomNumberGenerator.GetBytes(10));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task Parts_put_to_their_urls_complete_into_exactly_the_bytes()
    {
        var storage = CreateStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes((5 * MiB) + 1234);
        string uploadId = await storage.StartMultipartUploadAsync("vidéo +1.mp4", "video/mp4");

        await PutPartAsync(storage, "vidéo +1.mp4", uploadId, 1, bytes.AsMemory(0, 5 * MiB));
        await PutPartAsync(storage, "vidéo +1.mp4", uploadId, 2, bytes.AsMemory(5 * MiB));
        var parts = await storage.ListUploadedPartsAsync("vidéo +1.mp4", uploadId);
        await storage.CompleteMultipartUploadAsync("vidéo +1.mp4", uploadId, bytes.Length);

        Assert.Equal([(1, 5L * MiB), (2, 1234L)], parts.Select(p => (p.PartNumber, p.Size)));
        Assert.Equal(bytes, await ReadObjectAsync("vidéo +1.mp4"));
        Assert.Equal("video/mp4", (await storage.GetInfoAsync("vidéo +1.mp4")).ContentType);
        Assert.Empty((await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(101)]
    public async Task A_part_of_another_length_than_signed_is_refused(int length)
    {
        var storage = CreateStorage();
        string uploadId = await storage.StartMultipartUploadAsync("a.bin", "application/octet-stream");
        var url = storage.GetPartUploadUrl("a.bin", uploadId, 1, 100, TimeSpan.FromMinutes(5));

        using var response = await Server.Http.PutAsync(url.Url, new ByteArrayContent(RandomNumberGenerator.GetBytes(length)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await storage.ListUploadedPartsAsync("a.bin", uploadId));
        await storage.AbortMultipartUploadAsync("a.bin", uploadId);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task Completing_with_another_total_refuses_and_leaves_nothing(int difference)
    {
        var storage = CreateStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes(1000);
        string uploadId = await storage.StartMultipartUploadAsync("a.bin", "application/octet-stream");
        await PutPartAsync(storage, "a.bin", uploadId, 1, bytes);

        Exception refusal = difference < 0
            ? await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.CompleteMultipartUploadAsync("a.bin", uploadId, bytes.Length + difference))
            : await Assert.ThrowsAsync<InvalidOperationException>(() => storage.CompleteMultipartUploadAsync("a.bin", uploadId, bytes.Length + difference));

        Assert.Contains("nothing was stored", refusal.Message, StringComparison.Ordinal);
        await AssertBucketEmptyAsync();
        await Assert.ThrowsAsync<FileNotFoundException>(() => storage.ListUploadedPartsAsync("a.bin", uploadId));
    }

    [Fact]
    public async Task A_small_part_before_the_last_refuses_completion_and_leaves_nothing()
    {
        var storage = CreateStorage();
        string uploadId = await storage.StartMultipartUploadAsync("a.bin", "application/octet-stream");
        await PutPartAsync(storage, "a.bin", uploadId, 1, RandomNumberGenerator.GetBytes(100));
        await PutPartAsync(storage, "a.bin", uploadId, 2, RandomNumberGenerator.GetBytes(100));

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.CompleteMultipartUploadAsync("a.bin", uploadId, 200));

        Assert.Contains("part 1", refusal.Message, StringComparison.Ordinal);
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task Abort_leaves_nothing_and_can_be_repeated()
    {
        var storage = CreateStorage();
        string uploadId = await storage.StartMultipartUploadAsync("a.bin", "application/octet-stream");
        await PutPartAsync(storage, "a.bin", uploadId, 1, RandomNumberGenerator.GetBytes(100));

        await storage.AbortMultipartUploadAsync("a.bin", uploadId);
        await storage.AbortMultipartUploadAsync("a.bin", uploadId);

        await AssertBucketEmptyAsync();
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task The_cors_rule_answers_a_browser_preflight(string method)
    {
        await DirectUploadCors.ApplyAsync(Server.Client, Bucket, Origin);
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{Server.Endpoint}/{Bucket}/a.bin");
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await Server.Http.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, await DescribeAsync(response));
        Assert.Equal(Origin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains(method, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    private sealed record Form(Uri Url, IReadOnlyList<KeyValuePair<string, string>> Fields);

    private Task<HttpResponseMessage> PostAsync(S3UploadForm form, byte[] bytes) => PostAsync(new Form(form.Url, form.Fields), bytes);

    /// <summary>As a browser posts a form: the fields in order, the file last, with its own (ignored) type.</summary>
    private async Task<HttpResponseMessage> PostAsync(Form form, byte[] bytes)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in form.Fields)
        {
            content.Add(new StringContent(value), name);
        }

        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new("application/octet-stream");
        content.Add(file, "file", "upload.bin");
        return await Server.Http.PostAsync(form.Url, content);
    }

    private async Task PutPartAsync(S3FileStorage storage, string name, string uploadId, int partNumber, ReadOnlyMemory<byte> bytes)
    {
        var url = storage.GetPartUploadUrl(name, uploadId, partNumber, bytes.Length, TimeSpan.FromMinutes(5));
        using var response = await Server.Http.PutAsync(url.Url, new ReadOnlyMemoryContent(bytes));
        Assert.True(response.IsSuccessStatusCode, await DescribeAsync(response));
    }

    private async Task AssertBucketEmptyAsync()
    {
        Assert.Empty((await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects ?? []);
        Assert.Empty((await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";

    private static void Replace(List<KeyValuePair<string, string>> fields, string name, Func<string, string> change)
    {
        int i = fields.FindIndex(f => f.Key == name);
        fields[i] = new(name, change(fields[i].Value));
    }

    /// <summary>One character changed, the length kept (a base64 or hex text stays well-formed).</summary>
    private static string Flip(string value) => (value[10] == 'a' ? "b" : "a") is var c ? value[..10] + c + value[11..] : value;
}
