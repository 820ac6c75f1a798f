using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// A presigned URL names a key, not an upload: a link reaches one upload only because a private storage never
/// hands out a key twice. Checked against the real store: stale links answer 404, never a later upload's bytes.
/// </summary>
public sealed class LinkIdentityTests(S3Server server) : S3TestBase(server)
{
    [Fact]
    public async Task A_private_storage_puts_a_random_token_in_every_key()
    {
        var storage = CreateStorage();

        string name = await storage.SaveAsync("passport-scan.pdf", new MemoryStream("eve"u8.ToArray()), new() { UploadTo = "files" });

        Assert.Matches($"^files/passport-scan_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.pdf$", name);
    }

    [Fact]
    public async Task A_thousand_delete_and_reupload_cycles_of_one_name_never_give_a_url_that_was_issued_before()
    {
        var storage = CreateStorage();
        var issued = new HashSet<string>(StringComparer.Ordinal);
        var stale = new List<string>();
        string? previousUrl = null;
        for (int i = 0; i < 1000; i++)
        {
            string name = await storage.SaveAsync("image.png", new MemoryStream(Encoding.UTF8.GetBytes($"upload {i}")), new() { UploadTo = "files/{yyyy}/{MM}" });
            string url = storage.GetUrl(name, new() { Expiry = TimeSpan.FromDays(7) }).Url;
            Assert.True(issued.Add(name), $"cycle {i}: the key {name} was handed out before");
            Assert.True(issued.Add(url), $"cycle {i}: the URL {url} was issued before");
            if (previousUrl is not null)
            {
                // The link of the upload deleted a moment ago, now that another file of the same name is stored.
                using var response = await Server.Http.GetAsync(previousUrl);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            await storage.DeleteAsync(name);
            previousUrl = url;
            if (i % 100 == 0)
            {
                stale.Add(url);
            }
        }

        await storage.SaveAsync("image.png", new MemoryStream("the last one"u8.ToArray()), new() { UploadTo = "files/{yyyy}/{MM}" });
        foreach (string url in stale)
        {
            using var response = await Server.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Concurrent_uploads_of_one_name_by_different_users_are_each_served_only_their_own_bytes_by_their_url()
    {
        var storage = CreateStorage();
        var urls = new ConcurrentDictionary<string, string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, ct) =>
        {
            string name = await storage.SaveAsync("image.png", new MemoryStream(Encoding.UTF8.GetBytes($"user {user}")), cancellationToken: ct);
            Assert.True(urls.TryAdd(storage.GetUrl(name).Url, $"user {user}"));
        });

        Assert.Equal(40, urls.Count);
        foreach (var (url, bytes) in urls)
        {
            Assert.Equal(bytes, await Server.Http.GetStringAsync(url));
        }
    }

    [Fact]
    public async Task A_public_storage_keeps_djangos_names()
    {
        var storage = CreateStorage(FileVisibility.Public);

        Assert.Equal("image.png", await storage.SaveAsync("image.png", new MemoryStream("one"u8.ToArray())));
    }
}
