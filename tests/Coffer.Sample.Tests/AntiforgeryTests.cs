using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>The embedded default, for the antiforgery tests.</summary>
public sealed class AntiforgeryApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings);

/// <summary>
/// A cookie-signed-in call that changes something must carry the antiforgery token, whatever else it sends: only a
/// request the bearer scheme authenticated (which a cross-site form cannot make) may go without.
/// </summary>
public sealed class AntiforgeryTests(AntiforgeryApp app, ITestOutputHelper output) : IClassFixture<AntiforgeryApp>, IDisposable
{
    private readonly int _logMark = app.LogMark;

    public void Dispose() => output.WriteLine(app.LogSince(_logMark));

    /// <summary>A client signed in with the Identity cookie (as the pages are), sending <paramref name="authorization"/> too.</summary>
    private async Task<HttpClient> CookieClientAsync(ApiUser user, AuthenticationHeaderValue? authorization)
    {
        var browser = await app.SignInWithCookieAsync(user);
        browser.DefaultRequestHeaders.Authorization = authorization;
        return browser;
    }

    public static TheoryData<string> NotBearerAuthorizations => ["Basic eDp4", "Bearer not-a-token-the-app-issued", "Negotiate x"];

    private static AuthenticationHeaderValue Header(string value) => AuthenticationHeaderValue.Parse(value);

    private static async Task AssertAntiforgeryRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(NotBearerAuthorizations))]
    public async Task Cookie_upload_with_an_authorization_header_that_is_not_a_valid_bearer_token_still_needs_the_antiforgery_token(string authorization)
    {
        var owner = await app.UserAsync("owner");
        using var browser = await CookieClientAsync(owner, Header(authorization));
        var before = await app.Storage.ListAsync("private", CancellationToken.None);

        using var response = await browser.PostAsync(new Uri("/api/files", UriKind.Relative), ApiUser.Multipart("forged.txt", TestFiles.Text("forged"), "text/plain"));

        // A bearer token the app did not issue is 401 by the bearer scheme, or refused here; never stored.
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            await AssertAntiforgeryRefusedAsync(response);
        }

        Assert.Equal(before, await app.Storage.ListAsync("private", CancellationToken.None));
        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == "forged.txt");
    }

    [Fact]
    public async Task Cookie_delete_with_a_basic_authorization_header_needs_the_antiforgery_token()
    {
        var owner = await app.UserAsync("owner");
        var file = await owner.UploadFileAsync("keep.txt", TestFiles.Text("keep"));
        using var browser = await CookieClientAsync(owner, Header("Basic eDp4"));

        using var response = await browser.DeleteAsync(new Uri($"/api/files/{file.Id}", UriKind.Relative));

        await AssertAntiforgeryRefusedAsync(response);
        Assert.Contains(await owner.ListFilesAsync(), f => f.Id == file.Id);
    }

    [Fact]
    public async Task Cookie_share_with_a_basic_authorization_header_needs_the_antiforgery_token()
    {
        var owner = await app.UserAsync("owner");
        var file = await owner.UploadFileAsync("secret.txt", TestFiles.Text("secret"));
        using var browser = await CookieClientAsync(owner, Header("Basic eDp4"));

        using var response = await browser.PostAsync(new Uri($"/api/files/{file.Id}/share", UriKind.Relative),
            new FormUrlEncodedContent([new("expiresInSeconds", "604800")]));

        await AssertAntiforgeryRefusedAsync(response);
        Assert.DoesNotContain("sig=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bearer_authenticated_upload_needs_no_antiforgery_token()
    {
        var owner = await app.UserAsync("owner");

        var file = await owner.UploadFileAsync("scripted.txt", TestFiles.Text("scripted"));

        Assert.Equal("scripted.txt", file.Name);
    }
}
