using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// Direct uploads through the core contract (<see cref="FileStorage.StartDirectUploadAsync"/> and the rest) against the
/// real Ceph RGW, with the bytes sent as a browser sends them. What RGW 16 enforces, as these tests found: on a POST
/// form, the signature, the expiration, every exact condition (key, Content-Type, acl) and content-length-range; on a
/// presigned part PUT, the signed Content-Length header (any other length is a SignatureDoesNotMatch, since the
/// canonical request has the header the client really sent).
/// </summary>
public sealed class DirectUploadTests(S3Server server) : S3TestBase(server)
{
    private const int MiB = 1024 * 1024;
    private const string Origin = "https://app.example";
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_post_within_the_policy_stores_exactly_the_bytes_under_the_key_with_the_type()
    {
        FileStorage storage = CreateStorage(configure: o => o.Location = "uploads");
        byte[] bytes = RandomNumberGenerator.GetBytes(1000);
        var plan = await storage.StartDirectUploadAsync("docs/Rapport d'été.pdf", bytes.Length, "application/pdf", Expiry);

        using var response = await PostAsync(plan, bytes);

        Assert.True(response.IsSuccessStatusCode, await DescribeAsync(response));
        Assert.Equal(bytes, await ReadObjectAsync("uploads/docs/Rapport d'été.pdf"));
        var info = await storage.GetInfoAsync("docs/Rapport d'été.pdf");
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal("application/pdf", info.ContentType);
    }

    [Fact]
    public async Task Up_to_the_threshold_the_plan_is_a_form_and_above_it_parts_of_the_part_size()
    {
        FileStorage storage = CreateStorage(configure: o => (o.MultipartThreshold, o.MultipartPartSize) = (6 * MiB, 5 * MiB));

        var form = await storage.StartDirectUploadAsync("small.bin", 6 * MiB, "application/octet-stream", Expiry);
        var parts = await storage.StartDirectUploadAsync("large.bin", (6 * MiB) + 1, "application/octet-stream", Expiry);

        Assert.Equal(DirectUploadMethod.Form, form.Method);
        Assert.Null(form.UploadId);
        Assert.Contains(form.FormFields, f => f is { Key: "key", Value: "small.bin" });
        Assert.Empty((await Server.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = "small.bin" })).MultipartUploads ?? []);
        Assert.Equal(DirectUploadMethod.Parts, parts.Method);
        Assert.Equal((5L * MiB, 2), (parts.PartSize, parts.PartCount));
        var started = Assert.Single((await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
        Assert.Equal(("large.bin", parts.UploadId), (started.Key, started.UploadId));
        await storage.AbortDirectUploadAsync("large.bin", parts.UploadId);
    }

    public static TheoryData<string> Tampering => ["one byte over the maximum", "another key", "another content type", "policy", "signature", "no acl field"];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_post_outside_its_policy_is_refused_with_nothing_stored(string change)
    {
        FileStorage storage = CreateStorage(configure: o => o.DefaultAcl = "private");
        byte[] bytes = RandomNumberGenerator.GetBytes(change == "one byte over the maximum" ? 101 : 100);
        var plan = await storage.StartDirectUploadAsync("a.txt", 100, "text/plain", Expiry);
        var fields = plan.FormFields.ToList();
        Assert.Contains(new KeyValuePair<string, string>("acl", "private"), fields);
        switch (change)
        {
            case "another key": Replace(fields, "key", v => "b.txt"); break;
            case "another content type": Replace(fields, "Content-Type", v => "text/html"); break;
            case "policy": Replace(fields, "policy", Flip); break;
            case "signature": Replace(fields, "x-amz-signature", Flip); break;
            case "no acl field": fields.RemoveAll(f => f.Key == "acl"); break;
        }

        using var response = await PostAsync(plan.FormUrl!, fields, bytes);

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, await DescribeAsync(response));
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task An_expired_post_is_refused_with_nothing_stored()
    {
        // Signed ten minutes ago for five: RGW compares the policy's expiration with its own clock.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));
        using var storage = new S3FileStorage("private", Server.Options(Bucket), timeProvider: time);
        var plan = await storage.StartDirectUploadAsync("a.txt", 100, "text/plain", Expiry);

        using var response = await PostAsync(plan, RandomNumberGenerator.GetBytes(10));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task Parts_put_to_their_urls_complete_into_exactly_the_bytes()
    {
        FileStorage storage = CreatePartsStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes((5 * MiB) + 1234);
        var plan = await storage.StartDirectUploadAsync("vidéo +1.mp4", bytes.Length, "video/mp4", Expiry);

        await PutPartsAsync(storage, "vidéo +1.mp4", plan, bytes, 1, 2);
        var parts = await storage.ListDirectUploadPartsAsync("vidéo +1.mp4", plan.UploadId!);
        await storage.CompleteDirectUploadAsync("vidéo +1.mp4", plan.UploadId!, bytes.Length);

        Assert.Equal([new UploadedPart(1, 5L * MiB), new UploadedPart(2, 1234)], parts);
        Assert.Equal(bytes, await ReadObjectAsync("vidéo +1.mp4"));
        Assert.Equal("video/mp4", (await storage.GetInfoAsync("vidéo +1.mp4")).ContentType);
        Assert.Empty((await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(101)]
    public async Task A_part_of_another_length_than_signed_is_refused(int length)
    {
        FileStorage storage = CreatePartsStorage();
        var plan = await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        var url = storage.GetDirectUploadPartUrl("a.bin", plan.UploadId!, 1, 100, Expiry);

        using var response = await Server.Http.PutAsync(url.Url, new ByteArrayContent(RandomNumberGenerator.GetBytes(length)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await storage.ListDirectUploadPartsAsync("a.bin", plan.UploadId!));
        await storage.AbortDirectUploadAsync("a.bin", plan.UploadId);
    }

    [Fact]
    public async Task An_incomplete_upload_is_refused_and_kept_and_completes_once_the_missing_part_is_sent()
    {
        FileStorage storage = CreatePartsStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes((5 * MiB) + 1234);
        var plan = await storage.StartDirectUploadAsync("a.bin", bytes.Length, "application/octet-stream", Expiry);
        await PutPartsAsync(storage, "a.bin", plan, bytes, 2);

        var refusal = await Assert.ThrowsAsync<UploadTicketException>(() => storage.CompleteDirectUploadAsync("a.bin", plan.UploadId!, bytes.Length));

        Assert.Equal(UploadTicketProblem.Incomplete, refusal.Problem);
        Assert.Equal([new UploadedPart(2, 1234)], await storage.ListDirectUploadPartsAsync("a.bin", plan.UploadId!));
        Assert.False(await storage.ExistsAsync("a.bin"));
        await PutPartsAsync(storage, "a.bin", plan, bytes, 1);
        await storage.CompleteDirectUploadAsync("a.bin", plan.UploadId!, bytes.Length);
        Assert.Equal(bytes, await ReadObjectAsync("a.bin"));
    }

    [Fact]
    public async Task Completing_with_more_bytes_than_declared_refuses_and_leaves_nothing()
    {
        FileStorage storage = CreatePartsStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes(1000);
        var plan = await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        await PutPartAsync(storage, "a.bin", plan.UploadId!, 1, bytes);

        var refusal = await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.CompleteDirectUploadAsync("a.bin", plan.UploadId!, bytes.Length - 1));

        Assert.Equal(FileContentProblem.TooLarge, refusal.Problem);
        Assert.Contains("nothing was stored", refusal.Message, StringComparison.Ordinal);
        await AssertBucketEmptyAsync();
        await Assert.ThrowsAsync<FileNotFoundException>(() => storage.ListDirectUploadPartsAsync("a.bin", plan.UploadId!));
    }

    [Fact]
    public async Task A_small_part_before_the_last_refuses_completion_and_leaves_nothing()
    {
        FileStorage storage = CreatePartsStorage();
        var plan = await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        await PutPartAsync(storage, "a.bin", plan.UploadId!, 1, RandomNumberGenerator.GetBytes(100));
        await PutPartAsync(storage, "a.bin", plan.UploadId!, 2, RandomNumberGenerator.GetBytes(100));

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.CompleteDirectUploadAsync("a.bin", plan.UploadId!, 200));

        Assert.Contains("part 1", refusal.Message, StringComparison.Ordinal);
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task Completing_over_an_existing_object_is_refused_and_leaves_it_untouched()
    {
        FileStorage storage = CreatePartsStorage();
        byte[] bytes = RandomNumberGenerator.GetBytes((5 * MiB) + 1);
        var plan = await storage.StartDirectUploadAsync("a.bin", bytes.Length, "application/octet-stream", Expiry);
        await PutPartsAsync(storage, "a.bin", plan, bytes, 1, 2);
        await Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "a.bin", ContentBody = "someone else's" });

        var refusal = await Assert.ThrowsAsync<IOException>(() => storage.CompleteDirectUploadAsync("a.bin", plan.UploadId!, bytes.Length));

        Assert.Contains("already stored", refusal.Message, StringComparison.Ordinal);
        Assert.Equal("someone else's"u8.ToArray(), await ReadObjectAsync("a.bin"));
        Assert.Empty((await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
    }

    [Fact]
    public async Task Abort_leaves_nothing_and_can_be_repeated()
    {
        FileStorage storage = CreatePartsStorage();
        var plan = await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        await PutPartAsync(storage, "a.bin", plan.UploadId!, 1, RandomNumberGenerator.GetBytes(100));

        await storage.AbortDirectUploadAsync("a.bin", plan.UploadId);
        await storage.AbortDirectUploadAsync("a.bin", plan.UploadId);

        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task Abort_by_name_removes_every_upload_of_the_key_and_none_of_a_longer_key()
    {
        FileStorage storage = CreatePartsStorage();
        var first = await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        await PutPartAsync(storage, "a.bin", first.UploadId!, 1, RandomNumberGenerator.GetBytes(100));
        await storage.StartDirectUploadAsync("a.bin", 6 * MiB, "application/octet-stream", Expiry);
        var other = await storage.StartDirectUploadAsync("a.bin.bak", 6 * MiB, "application/octet-stream", Expiry);

        await storage.AbortDirectUploadAsync("a.bin", uploadId: null);

        var left = (await Server.Client.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? [];
        Assert.Equal([("a.bin.bak", other.UploadId)], left.Select(u => (u.Key, (string?)u.UploadId)));
        await storage.AbortDirectUploadAsync("a.bin.bak", null);
        await AssertBucketEmptyAsync();
    }

    [Fact]
    public async Task A_storage_that_does_not_sign_urls_takes_no_direct_uploads()
    {
        FileStorage storage = CreateStorage(FileVisibility.Public);

        Assert.False(storage.SupportsDirectUploads);
        await Assert.ThrowsAsync<NotSupportedException>(() => storage.StartDirectUploadAsync("a.txt", 10, "text/plain", Expiry));
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

    /// <summary>Files over 5 MiB go up in parts of 5 MiB, so a test sends little.</summary>
    private S3FileStorage CreatePartsStorage() => CreateStorage(configure: o => (o.MultipartThreshold, o.MultipartPartSize) = (5 * MiB, 5 * MiB));

    private Task<HttpResponseMessage> PostAsync(DirectUploadPlan plan, byte[] bytes)
    {
        Assert.Equal(DirectUploadMethod.Form, plan.Method);
        return PostAsync(plan.FormUrl!, plan.FormFields, bytes);
    }

    /// <summary>As a browser posts a form: the fields in order, the file last, with its own (ignored) type.</summary>
    private async Task<HttpResponseMessage> PostAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> fields, byte[] bytes)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new("application/octet-stream");
        content.Add(file, "file", "upload.bin");
        return await Server.Http.PostAsync(url, content);
    }

    /// <summary>Sends the given parts of <paramref name="bytes"/> as the plan splits them.</summary>
    private async Task PutPartsAsync(FileStorage storage, string name, DirectUploadPlan plan, byte[] bytes, params int[] partNumbers)
    {
        foreach (int partNumber in partNumbers)
        {
            long offset = (partNumber - 1) * plan.PartSize;
            await PutPartAsync(storage, name, plan.UploadId!, partNumber, bytes.AsMemory((int)offset, (int)plan.GetPartLength(partNumber, bytes.Length)));
        }
    }

    private async Task PutPartAsync(FileStorage storage, string name, string uploadId, int partNumber, ReadOnlyMemory<byte> bytes)
    {
        var url = storage.GetDirectUploadPartUrl(name, uploadId, partNumber, bytes.Length, Expiry);
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
