using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>
/// The sample app end to end over HTTP, against the real process: the same tests run on every configuration
/// (one subclass each, in SampleAppConfigurations.cs). What the app logged during a test is written to its output.
/// </summary>
public abstract partial class SampleAppTests : IDisposable
{
    /// <summary>Largest private file in these tests, small so that going over it costs nothing.</summary>
    public const int MaxPrivateFileSize = 1024 * 1024;

    /// <summary>Settings of the apps these tests run against (on top of appsettings.json).</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Coffer__Storages__private__MaxFileSize"] = MaxPrivateFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly SampleApp _app;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;
    private readonly HttpClient _anonymous;

    protected SampleAppTests(SampleApp app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        _logMark = app.LogMark;
        _anonymous = app.CreateClient();
    }

    public void Dispose()
    {
        _output.WriteLine($"App at {_app.BaseAddress}, content root {_app.ContentRoot}; its log during this test:");
        _output.WriteLine(_app.LogSince(_logMark));
        _anonymous.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<ApiUser> OwnerAsync() => _app.UserAsync("owner");

    private Task<ApiUser> StrangerAsync() => _app.UserAsync("stranger");

    private static Uri Url(string url) => new(url, UriKind.RelativeOrAbsolute);

    private Task<HttpResponseMessage> FetchAnonymouslyAsync(string url) => _anonymous.GetAsync(Url(url));

    private Task<IReadOnlyList<string>> StoredAsync(string storage) => _app.Storage.ListAsync(storage, CancellationToken.None);

    private async Task<string> StoredNameOfAsync(IReadOnlyList<string> before, string storage = "private")
    {
        var added = (await StoredAsync(storage)).Except(before).ToList();
        Assert.Single(added);
        return added[0];
    }

    [Fact]
    public async Task Health_check_reports_healthy()
    {
        using var response = await _anonymous.GetAsync(Url("/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"Healthy","checks":{"database":"Healthy","storage:private":"Healthy","storage:public":"Healthy"}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Register_then_login_gives_a_bearer_token_that_the_api_accepts()
    {
        using var user = await _app.SignUpAsync();

        using var response = await user.Http.GetAsync(Url("/api/files"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Upload_returns_201_with_the_file_and_a_signed_url_that_expires()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.Text("upload");

        using var response = await owner.UploadAsync("/api/files", "notes.txt", content, "text/plain");

        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.Created);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["expiresAt", "height", "id", "name", "size", "uploadedOn", "url", "variants", "width"],
            json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var file = json.Deserialize<FileDto>(JsonSerializerOptions.Web)!;
        Assert.Equal($"/api/files/{file.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("notes.txt", file.Name);
        Assert.Equal(content.Length, file.Size);
        Assert.InRange(file.UploadedOn, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.NotNull(file.ExpiresAt);
        Assert.InRange(file.ExpiresAt.Value, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61)); // UrlExpiry: 1 hour
    }

    [Fact]
    public async Task Uploaded_file_is_in_the_owners_list_and_in_get_by_id()
    {
        var owner = await OwnerAsync();
        var uploaded = await owner.UploadFileAsync("listed.txt", TestFiles.Text("listed"));

        var listed = Assert.Single(await owner.ListFilesAsync(), f => f.Id == uploaded.Id);
        using var byId = await owner.Http.GetAsync(Url($"/api/files/{uploaded.Id}"));

        Assert.Equal(("listed.txt", uploaded.Size), (listed.Name, listed.Size));
        await ApiUser.EnsureStatusAsync(byId, HttpStatusCode.OK);
        Assert.Equal("listed.txt", (await byId.Content.ReadFromJsonAsync<FileDto>())!.Name);
    }

    [Fact]
    public async Task Url_of_an_upload_serves_exactly_its_bytes()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(200_000);
        var file = await owner.UploadFileAsync("random.bin", content);

        using var response = await FetchAnonymouslyAsync(file.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_link_redirects_to_a_signed_url_that_serves_the_bytes_under_the_original_name()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.Text("download");
        var file = await owner.UploadFileAsync("Quarterly report ü.txt", content, "text/plain");

        using var redirect = await owner.Http.GetAsync(Url($"/files/{file.Id}/download"));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        string location = redirect.Headers.Location!.OriginalString;
        Assert.InRange(SignedUrls.ExpiresAt(location), DateTimeOffset.UtcNow.AddSeconds(55), DateTimeOffset.UtcNow.AddSeconds(61)); // 60 s
        using var response = await FetchAnonymouslyAsync(location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal("Quarterly report ü.txt", disposition?.FileNameStar);
    }

    [Theory]
    [InlineData("GET", "/api/files")]
    [InlineData("GET", "/api/files/{id}")]
    [InlineData("POST", "/api/files/{id}/share")]
    [InlineData("DELETE", "/api/files/{id}")]
    [InlineData("GET", "/files/{id}/download")]
    public async Task Anonymous_request_is_401(string method, string path)
    {
        var file = await (await OwnerAsync()).UploadFileAsync("anonymous.txt", TestFiles.Text("anonymous"));

        using var response = await _anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), Url(path.Replace("{id}", $"{file.Id}", StringComparison.Ordinal))));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/Files")]
    [InlineData("/files")]
    public async Task Anonymous_visit_of_the_files_page_is_sent_to_sign_in(string path)
    {
        using var response = await FetchAnonymouslyAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_upload_is_401_and_stores_nothing()
    {
        var before = await StoredAsync("private");

        using var response = await _anonymous.PostAsync(Url("/api/files"), ApiUser.Multipart("sneaky.txt", TestFiles.Text("sneaky"), "text/plain"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await StoredAsync("private"));
    }

    [Fact]
    public async Task Signed_url_without_its_signature_is_403()
    {
        var file = await (await OwnerAsync()).UploadFileAsync("unsigned.txt", TestFiles.Text("unsigned"));

        using var response = await FetchAnonymouslyAsync(SignedUrls.WithoutQuery(file.Url));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Signed_url_with_a_tampered_signature_is_403()
    {
        var file = await (await OwnerAsync()).UploadFileAsync("tampered.txt", TestFiles.Text("tampered"));

        using var response = await FetchAnonymouslyAsync(SignedUrls.WithTamperedSignature(file.Url));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Signed_url_with_a_later_expiry_written_in_is_403()
    {
        var file = await (await OwnerAsync()).UploadFileAsync("extended.txt", TestFiles.Text("extended"));

        using var response = await FetchAnonymouslyAsync(SignedUrls.WithLaterExpiry(file.Url));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/files/{id}")]
    [InlineData("DELETE", "/api/files/{id}")]
    [InlineData("GET", "/files/{id}/download")]
    [InlineData("POST", "/api/files/{id}/share")]
    public async Task Another_users_file_is_404_and_left_alone(string method, string path)
    {
        var owner = await OwnerAsync();
        var stranger = await StrangerAsync();
        var file = await owner.UploadFileAsync("mine.txt", TestFiles.Text("mine"));
        var request = new HttpRequestMessage(new HttpMethod(method), Url(path.Replace("{id}", $"{file.Id}", StringComparison.Ordinal)));
        if (method == "POST")
        {
            request.Content = new FormUrlEncodedContent([new("expiresInSeconds", "3600")]);
        }

        using var response = await stranger.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(await owner.ListFilesAsync(), f => f.Id == file.Id);
        Assert.DoesNotContain(await stranger.ListFilesAsync(), f => f.Id == file.Id);
    }

    [Fact]
    public async Task Share_link_serves_the_file_and_lives_as_long_as_asked()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.Text("shared");
        var file = await owner.UploadFileAsync("shared.txt", content);

        using var shared = await owner.ShareAsync(file.Id, expiresInSeconds: 7 * 24 * 3600);
        await ApiUser.EnsureStatusAsync(shared, HttpStatusCode.OK);
        var link = (await shared.Content.ReadFromJsonAsync<LinkDto>())!;
        using var response = await FetchAnonymouslyAsync(link.Url);

        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(link.ExpiresAt);
        Assert.InRange(link.ExpiresAt.Value, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(7).AddSeconds(5));
    }

    [Fact]
    public async Task Share_link_is_403_once_expired()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("short-lived.txt", TestFiles.Text("short-lived"));
        using var shared = await owner.ShareAsync(file.Id, expiresInSeconds: 3);
        await ApiUser.EnsureStatusAsync(shared, HttpStatusCode.OK);
        var link = (await shared.Content.ReadFromJsonAsync<LinkDto>())!;
        using (var fresh = await FetchAnonymouslyAsync(link.Url))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode); // the link worked; only time breaks it
        }

        await Task.Delay(link.ExpiresAt!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5));
        using var response = await FetchAnonymouslyAsync(link.Url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(7 * 24 * 3600 + 1)]
    [InlineData(0)]
    public async Task Share_link_outside_1_second_to_7_days_is_400(int expiresInSeconds)
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("too-long.txt", TestFiles.Text("too-long"));

        using var response = await owner.ShareAsync(file.Id, expiresInSeconds);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delete_returns_204_and_removes_the_row_and_the_stored_object()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");
        var file = await owner.UploadFileAsync("doomed.txt", TestFiles.Text("doomed"));
        string stored = await StoredNameOfAsync(before);

        using var response = await owner.Http.DeleteAsync(Url($"/api/files/{file.Id}"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Id == file.Id);
        Assert.DoesNotContain(stored, await StoredAsync("private"));
        using var url = await FetchAnonymouslyAsync(file.Url);
        Assert.Equal(HttpStatusCode.NotFound, url.StatusCode);
    }

    [Fact]
    public async Task Upload_over_the_size_limit_is_413_and_stores_nothing()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");

        using var response = await owner.UploadAsync("/api/files", "too-big.bin", TestFiles.RandomBytes(MaxPrivateFileSize + 1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == "too-big.bin");
        Assert.Equal(before, await StoredAsync("private"));
    }

    [Fact]
    public async Task Upload_of_exactly_the_size_limit_is_stored()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(MaxPrivateFileSize);

        var file = await owner.UploadFileAsync("just-fits.bin", content);

        using var response = await FetchAnonymouslyAsync(file.Url);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Empty_upload_is_400_and_stores_nothing()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");

        using var response = await owner.UploadAsync("/api/files", "empty.txt", [], "text/plain");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == "empty.txt");
        Assert.Equal(before, await StoredAsync("private"));
    }

    [Fact]
    public async Task Media_of_a_type_not_allowed_is_415_and_stores_nothing()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("public");

        using var response = await owner.UploadAsync("/api/media", "page.html", "<script>alert(1)</script>"u8.ToArray(), "text/html");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.DoesNotContain((await _anonymous.GetFromJsonAsync<List<MediaDto>>(Url("/api/media")))!, m => m.Name == "page.html");
        Assert.Equal(before, await StoredAsync("public"));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData(@"..\..\Windows\win.ini", "win.ini")]
    public async Task Hostile_file_name_is_stored_inside_the_storage_under_a_clean_name(string hostile, string clean)
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");
        byte[] content = TestFiles.Text("hostile");

        var file = await owner.UploadFileAsync(hostile, content);

        Assert.Equal(clean, file.Name);
        string stored = await StoredNameOfAsync(before); // listed under the storage's own folder or prefix
        Assert.DoesNotContain("..", stored.Split('/'));
        string extension = Path.GetExtension(clean);
        Assert.Matches($"/{Regex.Escape(clean[..^extension.Length])}_[a-z0-9]{{20}}{Regex.Escape(extension)}$", stored);
        using var response = await FetchAnonymouslyAsync(file.Url);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Media_upload_is_201_with_a_plain_url_anyone_can_read()
    {
        var owner = await OwnerAsync();
        byte[] png = TestFiles.Png(32, 24, (200, 60, 40), (40, 80, 220));

        using var response = await owner.UploadAsync("/api/media", "sunset.png", png, "image/png");

        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.Created);
        var media = (await response.Content.ReadFromJsonAsync<MediaDto>())!;
        Assert.DoesNotContain("?", media.Url, StringComparison.Ordinal);
        using var fetched = await FetchAnonymouslyAsync(media.Url);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("image/png", fetched.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await fetched.Content.ReadAsByteArrayAsync());
        Assert.Contains((await _anonymous.GetFromJsonAsync<List<MediaDto>>(Url("/api/media")))!, m => m.Id == media.Id && m.Url == media.Url);
    }

    [Fact]
    public async Task Cookie_signed_in_upload_without_the_antiforgery_token_is_400_and_stores_nothing()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new() }) { BaseAddress = _app.BaseAddress };
        using (var login = await browser.PostAsJsonAsync(Url("/login?useCookies=true"), new { email = owner.Email, password = ApiUser.Password }))
        {
            await ApiUser.EnsureStatusAsync(login, HttpStatusCode.OK);
        }

        using var response = await browser.PostAsync(Url("/api/files"), ApiUser.Multipart("forged.txt", TestFiles.Text("forged"), "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await StoredAsync("private"));
    }
}
