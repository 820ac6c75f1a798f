using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Coffer.S3.Tests.Integration;

/// <summary>Keys that break naive SigV4 signers and URL builders: each must survive save, open and URL.</summary>
public sealed class KeyTests(S3Server server) : S3TestBase(server)
{
    // Folder segments are stored as given; the last segment is cleaned like Django's get_valid_name (which keeps
    // Unicode letters but drops punctuation and emoji), so the awkward characters live in the folders here.
    public static TheoryData<string> AwkwardFolders => new()
    {
        "with space",
        "plus+sign",
        "percent%41",
        "tilde~x",
        "quote'x",
        "bang!x",
        "paren(x)",
        "bracket[x]",
        "dollar$x",
        "question?x",
        "amp&x=y",
        "ünïcødé-日本語-עברית",
        "emoji 😀🎉",
        "all + % ~ ' ! ( ) [ ] $ ? & = é 😀",
    };

    [Theory]
    [MemberData(nameof(AwkwardFolders))]
    public async Task Awkward_key_round_trips_through_save_open_and_presigned_url(string folder)
    {
        var storage = CreateStorage();
        byte[] content = Encoding.UTF8.GetBytes("content of " + folder);
        string name = await storage.SaveAsync($"{folder}/naïve файл.txt", new MemoryStream(content));
        Assert.Matches($"^{Regex.Escape(folder)}/naïve_файл_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.txt$", name);

        await using (var stream = await storage.OpenReadAsync(name))
        {
            Assert.Equal(content, await ReadAllAsync(stream));
        }

        Assert.Equal(content, await ReadObjectAsync(name)); // the key is exactly the name
        using var response = await Server.Http.GetAsync(storage.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Awkward_key_of_a_public_storage_is_reachable_at_its_plain_url()
    {
        var storage = CreateStorage(FileVisibility.Public);
        byte[] content = "public awkward"u8.ToArray();
        string name = await storage.SaveAsync("all + % ~ ' ! ( ) [ ] $ ? & = é 😀/x.txt", new MemoryStream(content));
        using var response = await Server.Http.GetAsync(storage.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Awkward_key_is_listed_under_its_folder()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("a + b ~ (c) [d] 😀/é.txt", new MemoryStream("x"u8.ToArray()));
        var root = await storage.ListAsync("");
        Assert.Contains("a + b ~ (c) [d] 😀", root.Directories);
        var folder = await storage.ListAsync("a + b ~ (c) [d] 😀");
        Assert.StartsWith("a + b ~ (c) [d] 😀/é_", name, StringComparison.Ordinal);
        Assert.Equal([name["a + b ~ (c) [d] 😀/".Length..]], folder.Files);
    }

    [Fact]
    public async Task Location_prefix_with_awkward_characters_is_part_of_the_key()
    {
        var storage = CreateStorage(configure: o => o.Location = "priv ate+(1)");
        string name = await storage.SaveAsync("files/a.txt", new MemoryStream("loc"u8.ToArray()));
        Assert.StartsWith("files/a_", name, StringComparison.Ordinal);
        Assert.Equal("loc"u8.ToArray(), await ReadObjectAsync("priv ate+(1)/" + name));
        using var response = await Server.Http.GetAsync(storage.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
