using System.Text;
using Amazon.S3.Model;

namespace Coffer.S3.Tests.Integration;

public sealed class SaveTests(S3Server server) : S3TestBase(server)
{
    [Fact]
    public async Task Fifty_concurrent_saves_of_one_name_give_fifty_objects_each_with_its_own_bytes()
    {
        var storage = CreateStorage(configure: o => o.UniqueNames = false); // Django's names: the store picks who gets "same.txt"
        var saves = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            byte[] content = Encoding.UTF8.GetBytes($"content number {i}");
            string name = await storage.SaveAsync("same.txt", new MemoryStream(content));
            return (name, content);
        })).ToArray();
        var results = await Task.WhenAll(saves);

        Assert.Equal(50, results.Select(r => r.name).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(results, r => r.name == "same.txt");
        foreach (var (name, content) in results)
        {
            Assert.Equal(content, await ReadObjectAsync(name));
        }

        var listing = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Equal(50, listing.S3Objects?.Count);
    }

    [Fact]
    public async Task Fifty_concurrent_non_seekable_saves_of_one_name_give_fifty_objects()
    {
        var storage = CreateStorage();
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            byte[] content = Encoding.UTF8.GetBytes($"streamed {i}");
            return (name: await storage.SaveAsync("same.txt", new NonSeekableStream(content)), content);
        })));
        Assert.Equal(50, results.Select(r => r.name).Distinct(StringComparer.Ordinal).Count());
        foreach (var (name, content) in results)
        {
            Assert.Equal(content, await ReadObjectAsync(name));
        }
    }

    [Fact]
    public async Task Save_returns_alternative_name_when_name_is_taken()
    {
        var storage = CreateStorage(configure: o => o.UniqueNames = false);
        Assert.Equal("files/report.pdf", await storage.SaveAsync("files/report.pdf", new MemoryStream("one"u8.ToArray())));
        string second = await storage.SaveAsync("files/report.pdf", new MemoryStream("two"u8.ToArray()));
        Assert.Matches(@"^files/report_[A-Za-z0-9]{7}\.pdf$", second);
        Assert.Equal("one"u8.ToArray(), await ReadObjectAsync("files/report.pdf"));
        Assert.Equal("two"u8.ToArray(), await ReadObjectAsync(second));
    }

    [Fact]
    public async Task Save_with_overwrite_replaces_the_file_under_the_same_name()
    {
        var storage = CreateStorage(configure: o => { o.UniqueNames = false; o.FileOverwrite = true; });
        await storage.SaveAsync("a.txt", new MemoryStream("one"u8.ToArray()));
        Assert.Equal("a.txt", await storage.SaveAsync("a.txt", new MemoryStream("two"u8.ToArray())));
        Assert.Equal("two"u8.ToArray(), await ReadObjectAsync("a.txt"));
    }

    [Fact]
    public async Task Check_then_put_strategy_gives_an_alternative_name_when_taken()
    {
        var storage = CreateStorage(configure: o => { o.UniqueNames = false; o.UniqueNameStrategy = S3UniqueNameStrategy.CheckThenPut; });
        await storage.SaveAsync("a.txt", new MemoryStream("one"u8.ToArray()));
        string second = await storage.SaveAsync("a.txt", new MemoryStream("two"u8.ToArray()));
        Assert.NotEqual("a.txt", second);
        Assert.Equal("one"u8.ToArray(), await ReadObjectAsync("a.txt"));
        Assert.Equal("two"u8.ToArray(), await ReadObjectAsync(second));
    }

    [Fact]
    public async Task Seekable_content_is_read_from_its_current_position()
    {
        var storage = CreateStorage();
        var content = new MemoryStream("skip-this|keep this"u8.ToArray());
        content.Position = "skip-this|".Length;
        string name = await storage.SaveAsync("a.txt", content);
        Assert.Equal("keep this"u8.ToArray(), await ReadObjectAsync(name));
    }

    [Fact]
    public async Task Seekable_content_is_rewound_to_its_start_when_the_name_was_taken()
    {
        var storage = CreateStorage();
        await storage.SaveAsync("a.txt", new MemoryStream("first"u8.ToArray()));
        var content = new MemoryStream("xx|second"u8.ToArray()) { Position = 3 };
        string name = await storage.SaveAsync("a.txt", content);
        Assert.NotEqual("a.txt", name);
        Assert.Equal("second"u8.ToArray(), await ReadObjectAsync(name));
    }

    [Fact]
    public async Task Caller_stream_is_not_disposed()
    {
        var storage = CreateStorage();
        var content = new MemoryStream("x"u8.ToArray());
        await storage.SaveAsync("a.txt", content);
        Assert.True(content.CanRead);
    }

    [Fact]
    public async Task Content_type_given_with_the_upload_is_stored()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("data.bin", new MemoryStream("{}"u8.ToArray()), new FileSaveOptions { ContentType = "application/json" });
        Assert.Equal("application/json", (await storage.GetInfoAsync(name)).ContentType);
    }

    [Fact]
    public async Task Content_type_is_guessed_from_the_extension()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("photo.JPG", new MemoryStream([1, 2, 3]));
        Assert.Equal("image/jpeg", (await storage.GetInfoAsync(name)).ContentType);
    }

    [Fact]
    public async Task Content_type_of_an_unknown_extension_is_octet_stream()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("blob.qqq", new NonSeekableStream([1, 2, 3]));
        Assert.Equal("application/octet-stream", (await storage.GetInfoAsync(name)).ContentType);
    }

    [Theory]
    [InlineData(1)] // one PUT
    [InlineData(6 * 1024 * 1024)] // a multipart upload
    public async Task Object_parameters_and_the_public_acl_are_stored_with_the_object(int size)
    {
        var storage = CreateStorage(FileVisibility.Public, o =>
        {
            o.CacheControl = "max-age=86400";
            o.ContentDisposition = "attachment";
            o.Metadata["owner"] = "tests";
            o.MultipartThreshold = 5 * 1024 * 1024;
            o.MultipartPartSize = 5 * 1024 * 1024;
        });
        string name = await storage.SaveAsync("a.txt", new NonSeekableStream(new byte[size]), new FileSaveOptions { ContentType = "text/csv" });
        var head = await Server.Client.GetObjectMetadataAsync(Bucket, name);
        Assert.Equal("max-age=86400", head.Headers.CacheControl);
        Assert.Equal("attachment", head.Headers.ContentDisposition);
        Assert.Equal("text/csv", head.Headers.ContentType);
        Assert.Equal("tests", head.Metadata["owner"]);
        using var anonymous = await Server.Http.GetAsync(storage.GetUrl(name).Url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, anonymous.StatusCode); // the public-read ACL was sent
    }

    [Fact]
    public async Task Empty_content_is_refused_and_nothing_is_written()
    {
        var storage = CreateStorage();
        await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("a.txt", new NonSeekableStream([])));
        Assert.False(await storage.ExistsAsync("a.txt"));
    }

    [Fact]
    public async Task Traversal_name_is_refused_before_any_request()
    {
        var storage = CreateStorage();
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.SaveAsync("../escape.txt", new MemoryStream("x"u8.ToArray())));
        var listing = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Empty(listing.S3Objects ?? []);
    }

    [Fact]
    public async Task Key_longer_than_s3_allows_is_refused_before_any_request()
    {
        var storage = CreateStorage(configure: o => o.MaxNameLength = 2000);
        string name = new string('é', 600) + ".txt";
        var ex = await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.SaveAsync(name, new MemoryStream("x"u8.ToArray())));
        Assert.Contains("1024 bytes", ex.Message, StringComparison.Ordinal);
    }
}
