using System.Text;
using System.Text.RegularExpressions;
using Coffer.Local;
using Coffer.Signing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Tests.Local;

public sealed class LocalFileStorageTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2024, 5, 17, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    private LocalFileStorage Create(Action<LocalFileStorageOptions>? configure = null)
    {
        // These tests pin Django's naming (names kept, a suffix when taken); private storages' unique names, the
        // default, have their own tests in LinkIdentityTests.
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "private", BaseUrl = "/media/private/", UniqueNames = false };
        options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
        configure?.Invoke(options);
        return new LocalFileStorage("private", options, timeProvider: _clock);
    }

    private static MemoryStream Content(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<string> ReadAsync(FileStorage storage, string name)
    {
        await using var stream = await storage.OpenReadAsync(name);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task An_exact_name_is_stored_as_given_even_in_a_unique_names_storage_and_a_taken_one_fails()
    {
        var storage = Create(o => o.UniqueNames = true);
        var exact = new FileSaveOptions { ExactName = true, UploadTo = "ignored" };

        string name = await storage.SaveAsync("photos/cat.jpg~thumb.webp", Content("thumb"), exact);
        var taken = await Assert.ThrowsAsync<IOException>(() => storage.SaveAsync(name, Content("other"), exact));

        Assert.Equal("photos/cat.jpg~thumb.webp", name);
        Assert.Equal("thumb", await ReadAsync(storage, name));
        Assert.Contains("taken", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_stores_the_content_under_the_location_and_returns_the_clean_name()
    {
        var storage = Create();
        string name = await storage.SaveAsync("my report 2024.pdf", Content("hello"), new() { UploadTo = "files" });
        Assert.Equal("files/my_report_2024.pdf", name);
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_folder.Path, "private", "files", "my_report_2024.pdf")));
    }

    [Fact]
    public async Task Save_returns_alternative_name_when_name_is_taken()
    {
        var storage = Create();
        string first = await storage.SaveAsync("a.tar.gz", Content("one"));
        string second = await storage.SaveAsync("a.tar.gz", Content("two"));
        Assert.Equal("a.tar.gz", first);
        Assert.Matches("^a_[A-Za-z0-9]{7}\\.tar\\.gz$", second);
        Assert.Equal("one", await ReadAsync(storage, first));
        Assert.Equal("two", await ReadAsync(storage, second));
    }

    [Fact]
    public async Task Save_with_overwrite_replaces_the_existing_file()
    {
        var storage = Create(o => o.FileOverwrite = true);
        await storage.SaveAsync("a.txt", Content("one"));
        string second = await storage.SaveAsync("a.txt", Content("two"));
        Assert.Equal("a.txt", second);
        Assert.Equal("two", await ReadAsync(storage, "a.txt"));
    }

    [Fact]
    public async Task Save_of_a_name_longer_than_max_length_shortens_it_to_exactly_max_length()
    {
        var storage = Create();
        string name = await storage.SaveAsync(new string('r', 150) + ".pdf", Content("x"), new() { UploadTo = "files" });
        Assert.Equal(100, name.Length);
        Assert.Matches("^files/r+_[A-Za-z0-9]{7}\\.pdf$", name);
    }

    [Fact]
    public async Task Concurrent_saves_of_one_name_get_distinct_names_each_with_its_own_bytes()
    {
        var storage = Create();
        var saves = Enumerable.Range(0, 50).Select(i => Task.Run(() => storage.SaveAsync("same.txt", Content($"content {i}"))));
        string[] names = await Task.WhenAll(saves);

        Assert.Equal(50, names.Distinct().Count());
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal($"content {i}", await ReadAsync(storage, names[i]));
        }
    }

    [Fact]
    public async Task A_save_cancelled_halfway_leaves_no_file_behind()
    {
        var storage = Create();
        using var cts = new CancellationTokenSource();
        var content = new SlowStream(chunks: 10, onChunk: n => { if (n == 3) cts.Cancel(); });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.SaveAsync("big.bin", content, cancellationToken: cts.Token));

        Assert.False(await storage.ExistsAsync("big.bin"));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_save_whose_content_fails_leaves_no_file_behind()
    {
        var storage = Create();
        var content = new SlowStream(chunks: 10, onChunk: n => { if (n == 5) throw new IOException("client went away"); });

        await Assert.ThrowsAsync<IOException>(() => storage.SaveAsync("big.bin", content));

        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Empty_content_is_refused_before_anything_is_written()
    {
        var storage = Create();
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("a.txt", new MemoryStream()));
        Assert.Equal(FileContentProblem.Empty, ex.Problem);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "private")));
    }

    [Fact]
    public void A_refused_content_length_has_a_client_message_without_the_parameter_name()
    {
        var storage = Create(o => o.MaxFileSize = 10);

        var empty = Assert.Throws<InvalidFileContentException>(() => storage.ValidateContentLength(0));
        var large = Assert.Throws<InvalidFileContentException>(() => storage.ValidateContentLength(11));
        storage.ValidateContentLength(10);

        Assert.Equal((FileContentProblem.Empty, "The file is empty. Storage 'private' does not accept empty files (AllowEmptyFiles is off)."), (empty.Problem, empty.ClientMessage));
        Assert.Equal(FileContentProblem.TooLarge, large.Problem);
        Assert.DoesNotContain("(Parameter", large.ClientMessage, StringComparison.Ordinal);
        Assert.EndsWith("(Parameter 'content')", large.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_unseekable_content_is_refused_and_leaves_nothing()
    {
        var storage = Create();
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("a.txt", new SlowStream(chunks: 0)));
        Assert.Equal(FileContentProblem.Empty, ex.Problem);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Empty_content_is_stored_when_allowed()
    {
        var storage = Create(o => o.AllowEmptyFiles = true);
        string name = await storage.SaveAsync("a.txt", new MemoryStream());
        Assert.Equal(0, (await storage.GetInfoAsync(name)).Length);
    }

    [Fact]
    public async Task Oversize_unseekable_content_is_refused_and_leaves_nothing()
    {
        var storage = Create(o => o.MaxFileSize = 1000);
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("a.bin", new SlowStream(chunks: 10)));
        Assert.Equal(FileContentProblem.TooLarge, ex.Problem);
        Assert.Contains("1,000", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Oversize_seekable_content_is_refused_before_anything_is_written()
    {
        var storage = Create(o => o.MaxFileSize = 3);
        await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("a.txt", Content("four")));
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "private")));
    }

    [Fact]
    public async Task A_segment_longer_than_the_file_system_allows_is_refused_before_any_write()
    {
        var storage = Create(o => o.MaxNameLength = 300);
        var ex = await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.SaveAsync(new string('日', 90) + ".txt", Content("x")));
        Assert.Equal(FileNameProblem.TooLong, ex.Problem);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "private")));
    }

    public static TheoryData<string> TraversalNames => new() { "../x", "a/../../x", "..\\x", "/etc/passwd", "sub/../x.txt", "a\0b" };

    [Theory]
    [MemberData(nameof(TraversalNames))]
    public async Task Every_entry_point_refuses_hostile_names(string name)
    {
        var storage = Create();
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.SaveAsync(name, Content("x")));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.OpenReadAsync(name));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.DeleteAsync(name));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.ExistsAsync(name));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.GetInfoAsync(name));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => storage.ListAsync(name));
        Assert.Throws<InvalidFileNameException>(() => storage.GetUrl(name));
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task Open_of_a_missing_name_throws_file_not_found()
    {
        var storage = Create();
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => storage.OpenReadAsync("nope/missing.txt"));
        Assert.Equal("nope/missing.txt", ex.FileName);
    }

    [Fact]
    public async Task Delete_of_a_missing_name_is_not_an_error()
    {
        var storage = Create();
        await storage.DeleteAsync("missing.txt");
        await storage.DeleteAsync("no/such/folder.txt");
    }

    [Fact]
    public async Task Delete_removes_the_file()
    {
        var storage = Create();
        string name = await storage.SaveAsync("a.txt", Content("x"));
        await storage.DeleteAsync(name);
        Assert.False(await storage.ExistsAsync(name));
    }

    [Fact]
    public async Task Info_gives_size_and_modified_time_and_a_missing_file_is_a_value()
    {
        var storage = Create();
        string name = await storage.SaveAsync("a.txt", Content("12345"));
        var info = await storage.GetInfoAsync(name);
        var missing = await storage.GetInfoAsync("missing.txt");

        Assert.True(info.Exists);
        Assert.Equal(5, info.Length);
        Assert.InRange(info.LastModified!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.False(missing.Exists);
        Assert.Equal(-1, missing.Length);
    }

    [Fact]
    public async Task List_gives_one_level_of_folders_and_files()
    {
        var storage = Create();
        await storage.SaveAsync("root.txt", Content("x"));
        await storage.SaveAsync("docs/a.txt", Content("x"));
        await storage.SaveAsync("docs/deep/b.txt", Content("x"));

        var root = await storage.ListAsync("");
        var docs = await storage.ListAsync("docs");
        var missing = await storage.ListAsync("nothing-here");

        Assert.Equal(["docs"], root.Directories);
        Assert.Equal(["root.txt"], root.Files);
        Assert.Equal(["deep"], docs.Directories);
        Assert.Equal(["a.txt"], docs.Files);
        Assert.Empty(missing.Files);
    }

    [Fact]
    public async Task Open_reads_the_file_as_a_stream()
    {
        var storage = Create();
        var bytes = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(bytes);
        string name = await storage.SaveAsync("big.bin", new MemoryStream(bytes));

        await using var stream = await storage.OpenReadAsync(name);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public void Public_url_is_the_base_url_plus_the_percent_encoded_name()
    {
        var storage = Create(o => { o.Visibility = FileVisibility.Public; o.BaseUrl = "https://cdn.example.com/media"; o.SigningKeys.Clear(); });
        var url = storage.GetUrl("files/my report +1 日本.pdf");
        Assert.Equal("https://cdn.example.com/media/files/my%20report%20%2B1%20%E6%97%A5%E6%9C%AC.pdf", url.Url);
        Assert.Null(url.ExpiresAt);
    }

    [Fact]
    public void Private_url_is_signed_and_expires_after_the_default_hour()
    {
        var storage = Create();
        var url = storage.GetUrl("files/a.pdf");
        Assert.Matches("^/media/private/files/a\\.pdf\\?exp=\\d+&kid=k1&sig=[A-Za-z0-9_-]{43}$", url.Url);
        Assert.Equal(_clock.GetUtcNow().AddHours(1), url.ExpiresAt);
    }

    [Fact]
    public void Private_url_round_trips_through_the_verifier()
    {
        var storage = Create();
        var url = storage.GetUrl("files/a.pdf", new() { Expiry = TimeSpan.FromMinutes(5), DownloadFileName = "Rapport « final ».pdf", ContentType = "application/pdf" });
        Assert.Equal(UrlSignatureStatus.Valid, storage.VerifyUrl("files/a.pdf", QueryOf(url.Url)));
    }

    [Fact]
    public void Url_without_a_base_url_says_how_to_get_one()
    {
        var storage = Create(o => o.BaseUrl = null);
        var ex = Assert.Throws<InvalidOperationException>(() => storage.GetUrl("a.txt"));
        Assert.Contains("BaseUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Url_with_a_non_positive_expiry_is_refused()
    {
        var storage = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.GetUrl("a.txt", new() { Expiry = TimeSpan.Zero }));
    }

    [Fact]
    public void Invalid_options_fail_with_every_bad_setting_named()
    {
        var options = new LocalFileStorageOptions { RootPath = "", Location = "../up", MaxNameLength = 5, UrlExpiry = TimeSpan.Zero, BaseUrl = "ftp://x" };
        var ex = Assert.Throws<FileStorageOptionsException>(() => new LocalFileStorage("private", options));
        string message = ex.Message;
        foreach (var property in new[] { "RootPath", "Location", "MaxNameLength", "UrlExpiry", "BaseUrl", "SigningKeys" })
        {
            Assert.Contains("Property " + property + ":", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Invalid_options_keep_each_setting_apart_from_its_message()
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "../up", UrlExpiry = TimeSpan.Zero };
        options.SigningKeys.Add(UrlSigningKey.Generate("k1"));

        var ex = Assert.Throws<FileStorageOptionsException>(() => new LocalFileStorage("private", options));

        Assert.Equal(
            [("UrlExpiry", "must be positive, but is 00:00:00."), ("Location", "Detected path traversal attempt in '../up': a '..' segment would leave the storage's location.")],
            ex.PropertyFailures.Select(failure => (failure.PropertyName, failure.Message)));
        Assert.Contains("Property UrlExpiry: must be positive, but is 00:00:00.", ex.Failures);
    }

    [Fact]
    public void A_short_signing_secret_is_refused_with_a_fix()
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path };
        options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[16]) });
        var ex = Assert.Throws<FileStorageOptionsException>(() => new LocalFileStorage("private", options));
        Assert.Contains("at least 32", ex.Message, StringComparison.Ordinal);
    }

    internal static SignedUrlQuery QueryOf(string url)
    {
        var query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        return SignedUrlQuery.From(key => query.GetValueOrDefault(key));
    }

    /// <summary>An unseekable stream of 1 KiB chunks that can fail or cancel partway.</summary>
    private sealed class SlowStream(int chunks, Action<int>? onChunk = null) : ForwardOnlyTestStream
    {
        private int _served;

        public override int Read(Span<byte> buffer)
        {
            if (_served == chunks)
            {
                return 0;
            }

            onChunk?.Invoke(++_served);
            int n = Math.Min(1024, buffer.Length);
            buffer[..n].Fill((byte)'x');
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return Read(buffer.Span);
        }
    }

    [Fact]
    public void A_storage_makes_its_options_read_only_so_a_later_change_cannot_be_half_applied()
    {
        var storage = Create();

        var visibility = Assert.Throws<InvalidOperationException>(() => storage.Options.Visibility = FileVisibility.Public);
        Assert.Contains("belong to a storage that has been built", visibility.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => storage.Options.RootPath = "/elsewhere");
        Assert.Throws<NotSupportedException>(() => storage.Options.SigningKeys.Clear());
        Assert.True(storage.Options.IsReadOnly);
        Assert.Same(storage.Options, ((FileStorage)storage).Options);
    }

    [Fact]
    public void A_public_storage_refuses_response_overrides_its_plain_urls_cannot_carry()
    {
        var storage = Create(o => o.Visibility = FileVisibility.Public);

        var ex = Assert.Throws<ArgumentException>(() => storage.GetUrl("a.txt", new FileUrlOptions { DownloadFileName = "b.txt" }));
        Assert.Contains("gives plain URLs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new FileUrl("/media/private/a.txt", null), storage.GetUrl("a.txt"));
    }
}
