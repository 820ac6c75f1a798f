using System.Collections.Concurrent;
using System.Text;
using Coffer.Local;
using Coffer.Signing;
using Microsoft.Extensions.Options;

namespace Coffer.Tests.Local;

/// <summary>
/// A link reaches one upload, never its successor: a private storage never hands out a name twice, so a URL made
/// for a file that was deleted can never serve a later upload, whatever it is called. (The endpoint that serves
/// these URLs is tested in Coffer.AspNetCore.Tests; S3 in Coffer.S3.Tests; the sample end to end.)
/// </summary>
public sealed class LinkIdentityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LocalFileStorage Create(Action<LocalFileStorageOptions>? configure = null)
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "private", BaseUrl = "/media/private/" };
        options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
        configure?.Invoke(options);
        return new LocalFileStorage("private", options);
    }

    private static MemoryStream Content(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_private_storage_puts_a_random_token_in_every_name_and_keeps_the_cleaned_client_name()
    {
        var storage = Create();

        string name = await storage.SaveAsync("passport scan.pdf", Content("eve"), new() { UploadTo = "files/{yyyy}" });

        Assert.Matches($"^files/[0-9]{{4}}/passport_scan_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.pdf$", name);
    }

    [Fact]
    public async Task A_public_storage_keeps_djangos_names()
    {
        var storage = Create(o => o.Visibility = FileVisibility.Public);

        string first = await storage.SaveAsync("image.png", Content("one"));
        string second = await storage.SaveAsync("image.png", Content("two"));

        Assert.Equal("image.png", first);
        Assert.Matches("^image_[A-Za-z0-9]{7}\\.png$", second);
    }

    [Fact]
    public async Task Unique_names_can_be_turned_off_for_a_private_storage_and_on_for_a_public_one()
    {
        var django = Create(o => o.UniqueNames = false);
        var unique = Create(o => { o.Visibility = FileVisibility.Public; o.UniqueNames = true; o.Location = "public"; });

        Assert.Equal("image.png", await django.SaveAsync("image.png", Content("a")));
        Assert.Matches($"^image_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.png$", await unique.SaveAsync("image.png", Content("b")));
    }

    [Fact]
    public async Task A_thousand_delete_and_reupload_cycles_of_one_name_never_give_a_url_that_was_issued_before()
    {
        var storage = Create();
        var issued = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        for (int i = 0; i < 1000; i++)
        {
            string name = await storage.SaveAsync("image.png", Content($"upload {i}"), new() { UploadTo = "files/{yyyy}/{MM}" });
            string url = storage.GetUrl(name, new() { Expiry = TimeSpan.FromDays(7) }).Url;
            Assert.True(issued.Add(name), $"cycle {i}: the name {name} was handed out before");
            Assert.True(issued.Add(url), $"cycle {i}: the URL {url} was issued before");
            if (previous is not null)
            {
                Assert.False(await storage.ExistsAsync(previous), $"cycle {i}: a deleted name is back");
            }

            await storage.DeleteAsync(name);
            previous = name;
        }
    }

    [Fact]
    public async Task Concurrent_uploads_of_one_name_by_different_users_each_get_their_own_name_and_bytes()
    {
        var storage = Create();
        var stored = new ConcurrentDictionary<string, string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 50), async (user, ct) =>
        {
            string name = await storage.SaveAsync("image.png", Content($"user {user}"), cancellationToken: ct);
            Assert.True(stored.TryAdd(name, $"user {user}"));
        });

        Assert.Equal(50, stored.Count);
        foreach (var (name, bytes) in stored)
        {
            await using var stream = await storage.OpenReadAsync(name);
            Assert.Equal(bytes, await new StreamReader(stream).ReadToEndAsync());
        }
    }

    [Fact]
    public async Task A_long_name_is_shortened_so_that_the_token_always_fits()
    {
        var storage = Create();

        string name = await storage.SaveAsync(new string('x', 300) + ".pdf", Content("long"), new() { UploadTo = "files" });

        Assert.Equal(FileStorageOptions.DefaultMaxNameLength, name.Length);
        Assert.EndsWith(".pdf", name);
    }

    [Fact]
    public void Overwriting_is_refused_at_start_up_while_names_are_unique()
    {
        var ex = Assert.Throws<FileStorageOptionsException>(() => Create(o => o.FileOverwrite = true));

        Assert.Contains("Property FileOverwrite: cannot be on in a private storage", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set UniqueNames to false", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_column_too_short_for_the_token_is_refused_at_start_up()
    {
        var ex = Assert.Throws<FileStorageOptionsException>(() => Create(o => o.MaxNameLength = 20));

        Assert.Contains("Property MaxNameLength: must be at least 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overwriting_still_works_once_unique_names_are_turned_off()
    {
        var storage = Create(o => { o.UniqueNames = false; o.FileOverwrite = true; });

        await storage.SaveAsync("a.txt", Content("one"));
        string second = await storage.SaveAsync("a.txt", Content("two"));

        Assert.Equal("a.txt", second);
    }
}
