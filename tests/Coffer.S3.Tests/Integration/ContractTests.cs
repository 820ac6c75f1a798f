using Amazon.S3.Model;

namespace Coffer.S3.Tests.Integration;

public sealed class ContractTests(S3Server server) : S3TestBase(server)
{
    [Fact]
    public async Task Exists_is_true_for_a_saved_file_and_false_for_a_missing_one()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray()));
        Assert.True(await storage.ExistsAsync(name));
        Assert.False(await storage.ExistsAsync("missing.txt"));
    }

    [Fact]
    public async Task Info_has_size_time_and_content_type()
    {
        var storage = CreateStorage();
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        string name = await storage.SaveAsync("a.txt", new MemoryStream("hello"u8.ToArray()));
        var info = await storage.GetInfoAsync(name);
        Assert.True(info.Exists);
        Assert.Equal(5, info.Length);
        Assert.Equal("text/plain", info.ContentType);
        Assert.InRange(info.LastModified!.Value, before, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Info_of_a_missing_file_is_not_found_rather_than_an_exception()
    {
        var storage = CreateStorage();
        var info = await storage.GetInfoAsync("missing.txt");
        Assert.False(info.Exists);
        Assert.Equal(-1, info.Length);
    }

    [Fact]
    public async Task Open_of_a_missing_file_throws_file_not_found()
    {
        var storage = CreateStorage();
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => storage.OpenReadAsync("missing.txt"));
        Assert.Contains("missing.txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_removes_the_file_and_is_idempotent()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray()));
        await storage.DeleteAsync(name);
        Assert.False(await storage.ExistsAsync(name));
        await storage.DeleteAsync(name);
    }

    [Fact]
    public async Task List_gives_folders_and_files_of_one_level_under_the_location()
    {
        var storage = CreateStorage(configure: o => { o.Location = "loc"; o.UniqueNames = false; });
        await storage.SaveAsync("top.txt", new MemoryStream("x"u8.ToArray()));
        await storage.SaveAsync("dir/inner.txt", new MemoryStream("x"u8.ToArray()));
        await storage.SaveAsync("dir/deeper/deep.txt", new MemoryStream("x"u8.ToArray()));
        await Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "outside.txt", ContentBody = "x" });

        var root = await storage.ListAsync("");
        Assert.Equal(["dir"], root.Directories);
        Assert.Equal(["top.txt"], root.Files);
        var dir = await storage.ListAsync("dir");
        Assert.Equal(["deeper"], dir.Directories);
        Assert.Equal(["inner.txt"], dir.Files);
    }

    [Fact]
    public async Task List_pages_through_more_than_a_thousand_keys()
    {
        var storage = CreateStorage();
        var keys = Enumerable.Range(0, 1005).Select(i => $"many/{i:D4}.txt").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "x" }, ct));
        var listing = await storage.ListAsync("many");
        Assert.Equal(1005, listing.Files.Count);
    }

    [Fact]
    public async Task Opened_stream_reads_the_whole_file()
    {
        var storage = CreateStorage();
        byte[] content = new byte[300_000];
        Random.Shared.NextBytes(content);
        string name = await storage.SaveAsync("big.bin", new MemoryStream(content));
        await using var stream = await storage.OpenReadAsync(name);
        Assert.Equal(content.Length, stream.Length);
        Assert.Equal(content, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Storage_works_through_a_client_passed_to_it()
    {
        var options = Server.Options(Bucket);
        using var storage = new S3FileStorage("private", options, Server.Client);
        string name = await storage.SaveAsync("given.txt", new MemoryStream("given"u8.ToArray()));
        Assert.Same(Server.Client, storage.Client);
        Assert.Equal("given"u8.ToArray(), await ReadObjectAsync(name));
        using var response = await Server.Http.GetAsync(storage.GetUrl(name).Url);
        Assert.Equal("given"u8.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }
}
