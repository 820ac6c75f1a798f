using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Coffer.Local;
using Coffer.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.AspNetCore.Tests;

public class FileEndpointTests
{
    private static async Task<string> SaveAsync(TestApp app, string storage, string name, string content = "hello, coffer")
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return await app.Storage(storage).SaveAsync(name, stream);
    }

    private static Uri Relative(string url) => new(url, UriKind.Relative);

    private static Task<HttpResponseMessage> GetAsync(TestApp app, string url) => app.Client.GetAsync(Relative(url));

    [Fact]
    public void MapCoffer_without_AddCoffer_throws_naming_the_missing_call()
    {
        var builder = WebApplication.CreateBuilder();
        var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapCoffer());

        Assert.Equal(
            "Unable to find the required services. Please add all the required services by calling 'IServiceCollection.AddCoffer' in the application startup code.",
            ex.Message);
    }

    [Fact]
    public async Task A_signed_url_serves_the_file()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "files/report.txt");

        using var response = await GetAsync(app, app.Storage("private").GetUrl(name).Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello, coffer", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("sig")]
    [InlineData("exp")]
    [InlineData("name")]
    [InlineData("dl")]
    public async Task A_tampered_url_is_forbidden_and_the_response_says_nothing_more(string part)
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name).Url;
        string tampered = part switch
        {
            "sig" => url[..^2] + (url[^2] == 'A' ? "BB" : "AA"),
            "exp" => url.Replace("exp=", "exp=1", StringComparison.Ordinal),
            "name" => url.Replace(".txt?", ".txT?", StringComparison.Ordinal),
            _ => url + "&dl=other.txt",
        };

        using var response = await GetAsync(app, tampered);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("padding")]
    [InlineData("double padding")]
    [InlineData("space inside")]
    [InlineData("plus inside")]
    [InlineData("space after")]
    [InlineData("last character not canonical")]
    [InlineData("exp with a leading zero")]
    [InlineData("exp with a plus")]
    [InlineData("kid with a space")]
    public async Task A_url_whose_signature_parameters_are_not_exactly_as_signed_is_forbidden(string change)
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name).Url;
        int at = url.IndexOf("sig=", StringComparison.Ordinal) + 4;
        string sig = url[at..];
        string changed = change switch
        {
            "padding" => url + "%3D",
            "double padding" => url + "==",
            "space inside" => url[..at] + sig[..10] + "%20" + sig[10..],
            "plus inside" => url[..at] + sig[..10] + "+" + sig[10..],
            "space after" => url + "%20",
            "last character not canonical" => url[..^1] + Base64UrlSibling(url[^1]),
            "exp with a leading zero" => url.Replace("exp=", "exp=0", StringComparison.Ordinal),
            "exp with a plus" => url.Replace("exp=", "exp=%2B", StringComparison.Ordinal),
            _ => url.Replace("kid=", "kid=%20", StringComparison.Ordinal),
        };
        Assert.NotEqual(url, changed);

        using var response = await GetAsync(app, changed);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4001 && e.Message.EndsWith("Malformed", StringComparison.Ordinal));
    }

    // 32 bytes take 43 base64url characters, whose last one carries 4 bits and 2 unused ones: flipping an unused bit
    // gives another spelling of the same bytes.
    private static char Base64UrlSibling(char c)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return Alphabet[Alphabet.IndexOf(c, StringComparison.Ordinal) ^ 1];
    }

    [Fact]
    public async Task A_refused_signature_is_logged_with_its_reason()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name).Url;

        using var response = await GetAsync(app, url.Replace(".txt?", ".txT?", StringComparison.Ordinal));

        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Id == 4001);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal($"Refused a URL of storage private for {name[..^1]}T: the signature is Tampered", entry.Message);
    }

    [Fact]
    public async Task An_expired_url_is_forbidden()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name, new() { Expiry = TimeSpan.FromMinutes(5) }).Url;
        using (var fresh = await GetAsync(app, url))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        using var response = await GetAsync(app, url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4002);
    }

    [Fact]
    public async Task A_url_signed_with_a_key_the_app_does_not_have_is_forbidden()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        var stranger = new LocalFileStorage("private", new LocalFileStorageOptions
        {
            RootPath = app.ContentRoot, BaseUrl = "/coffer/private/", SigningKeys = { UrlSigningKey.Generate("someone-else") },
        });

        using var response = await GetAsync(app, stranger.GetUrl(name).Url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4001 && e.Message.EndsWith("UnknownKey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_private_file_without_a_signature_is_forbidden()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");

        using var response = await GetAsync(app, "/coffer/private/" + name);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_url_signed_for_another_storage_is_forbidden()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Coffer:Storages:invoices:Location"] = "invoices" });
        await SaveAsync(app, "private", "report.txt");
        await SaveAsync(app, "invoices", "report.txt");
        string url = app.Storage("invoices").GetUrl("report.txt").Url;

        using var response = await GetAsync(app, url.Replace("/invoices/", "/private/", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_file_with_a_valid_signature_is_not_found()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await GetAsync(app, app.Storage("private").GetUrl("nothing-here.txt").Url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_file_without_a_valid_signature_is_forbidden_so_existence_does_not_leak()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await GetAsync(app, "/coffer/private/nothing-here.txt");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_public_file_needs_no_signature()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "public", "media/logo.txt");

        using var response = await GetAsync(app, app.Storage("public").GetUrl(name).Url);

        Assert.Equal("/coffer/public/media/logo.txt", app.Storage("public").GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello, coffer", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl is { Public: true, NoCache: true, Private: false });
    }

    [Fact]
    public async Task A_public_file_ignores_unsigned_overrides()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "public", "logo.txt");

        using var response = await GetAsync(app, $"/coffer/public/{name}?ct=text%2Fhtml&dl=evil.html");

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("logo.txt", response.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Theory]
    [InlineData("/coffer/nosuch/logo.txt")]
    [InlineData("/coffer/public/")]
    [InlineData("/coffer/public/missing.txt")]
    public async Task Unknown_storages_and_files_are_not_found(string url)
    {
        await using var app = await TestApp.StartAsync();
        await SaveAsync(app, "public", "logo.txt");

        using var response = await GetAsync(app, url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_storage_that_is_not_on_local_disk_is_not_served()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Coffer:Storages:remote:Backend"] = "Memory" },
            services: s => s.AddCoffer().AddBackend<FileStorageOptions>("Memory", (sp, name, o) => new NotLocalStorage(name, o)));

        using var response = await GetAsync(app, "/coffer/remote/logo.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/coffer/public/..%2Fsecret.txt")]
    [InlineData("/coffer/public/%2E%2E/secret.txt")]
    [InlineData("/coffer/public/sub/..%2F..%2Fsecret.txt")]
    public async Task A_path_that_climbs_out_of_the_storage_is_not_served(string url)
    {
        await using var app = await TestApp.StartAsync();
        Directory.CreateDirectory(Path.Combine(app.ContentRoot, "App_Data", "coffer"));
        await File.WriteAllTextAsync(Path.Combine(app.ContentRoot, "App_Data", "coffer", "secret.txt"), "secret");

        using var response = await GetAsync(app, url);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_with_spaces_and_non_ascii_letters_is_served_through_its_url()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "résumé 2024 (final).txt");

        string url = app.Storage("private").GetUrl(name).Url;
        using var response = await GetAsync(app, url);

        Assert.Matches("^résumé_2024_final_[a-z0-9]{20}\\.txt$", name);
        Assert.StartsWith($"/coffer/private/r%C3%A9sum%C3%A9_2024_final_{name[^24..^4]}.txt?", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_range_request_gets_the_part_asked_for()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "digits.txt", "0123456789");
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(app.Storage("private").GetUrl(name).Url));
        request.Headers.Range = new RangeHeaderValue(2, 5);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("2345", await response.Content.ReadAsStringAsync());
        Assert.Equal("bytes 2-5/10", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Fact]
    public async Task A_matching_etag_gets_not_modified()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name).Url;
        using var first = await GetAsync(app, url);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(url));
        request.Headers.IfNoneMatch.Add(etag);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_etag_that_does_not_match_gets_the_file()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(app.Storage("private").GetUrl(name).Url));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unmodified_file_since_its_last_modified_date_gets_not_modified()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "public", "report.txt");
        string url = app.Storage("public").GetUrl(name).Url;
        using var first = await GetAsync(app, url);
        var lastModified = first.Content.Headers.LastModified;
        Assert.NotNull(lastModified);
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(url));
        request.Headers.IfModifiedSince = lastModified;

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task A_head_request_gets_the_headers_without_the_body()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        using var request = new HttpRequestMessage(HttpMethod.Head, Relative(app.Storage("private").GetUrl(name).Url));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(13, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_served_file_cannot_be_sniffed_or_run_scripts()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");

        using var response = await GetAsync(app, app.Storage("private").GetUrl(name).Url);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true, Public: false });
    }

    [Theory]
    [InlineData("page.html", "text/html")]
    [InlineData("drawing.svg", "image/svg+xml")]
    [InlineData("feed.xml", "application/xml")]
    [InlineData("app.js", "text/javascript")]
    [InlineData("noextension", "application/octet-stream")]
    public async Task A_file_a_browser_could_run_is_always_an_attachment(string fileName, string contentType)
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "public", fileName, "<script>alert(1)</script>");

        using var response = await GetAsync(app, app.Storage("public").GetUrl(name).Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(fileName, response.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Theory]
    [InlineData("photo.png", "image/png")]
    [InlineData("clip.mp4", "video/mp4")]
    [InlineData("notes.txt", "text/plain")]
    public async Task An_image_video_or_text_file_is_shown_inline(string fileName, string contentType)
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "public", fileName);

        using var response = await GetAsync(app, app.Storage("public").GetUrl(name).Url);

        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task A_pdf_is_shown_inline_under_a_policy_without_sandbox_which_browsers_need_for_it()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "paper.pdf");

        using var response = await GetAsync(app, app.Storage("private").GetUrl(name).Url);

        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task A_signed_download_name_with_non_ascii_letters_and_quotes_is_an_rfc_6266_attachment()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "report.txt");
        string url = app.Storage("private").GetUrl(name, new() { DownloadFileName = "Résumé \"final\" 100%.txt" }).Url;

        using var response = await GetAsync(app, url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment; filename=\"R_sum_ _final_ 100_.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20100%25.txt",
            Assert.Single(response.Content.Headers.GetValues("Content-Disposition")));
        Assert.Equal("Résumé \"final\" 100%.txt", response.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task A_signed_content_type_override_is_the_response_type()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "data.bin");

        using var response = await GetAsync(app, app.Storage("private").GetUrl(name, new() { ContentType = "image/png" }).Url);

        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task A_signed_html_content_type_override_is_still_an_attachment()
    {
        await using var app = await TestApp.StartAsync();
        string name = await SaveAsync(app, "private", "notes.txt");

        using var response = await GetAsync(app, app.Storage("private").GetUrl(name, new() { ContentType = "text/html; charset=utf-8" }).Url);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task A_temporary_file_of_a_save_in_progress_is_not_served()
    {
        await using var app = await TestApp.StartAsync();
        string folder = ((LocalFileStorage)app.Storage("public")).RootDirectory;
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ".coffer-0123456789abcdef.tmp"), "half a file");

        using var response = await GetAsync(app, "/coffer/public/.coffer-0123456789abcdef.tmp");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MapCoffer_returns_a_builder_whose_conventions_reach_the_endpoint()
    {
        var marker = new object();
        await using var app = await TestApp.StartAsync(cofferConventions: b => b.WithMetadata(marker));

        var endpoint = Assert.Single(app.Services.GetRequiredService<EndpointDataSource>().Endpoints, e => e.DisplayName == "Coffer files");
        Assert.Contains(marker, endpoint.Metadata);
    }

    private sealed class NotLocalStorage(string name, FileStorageOptions options)
        : FileStorage<FileStorageOptions>(name, options, new FileStorageOptionsValidator<FileStorageOptions>(), null, null)
    {
        protected override Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task DeleteCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) => Task.FromResult(true);

        protected override Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(new StoredFileInfo(name, true, 1, DateTimeOffset.UtcNow));

        protected override Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry) => new("https://elsewhere.example/" + name, null);
    }
}
