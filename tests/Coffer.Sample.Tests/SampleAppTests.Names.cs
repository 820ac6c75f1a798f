using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

// What a user sees of a file's name: never an invisible character that changes what it reads as, never more than
// the column holds, and never a name that Coffer keeps for its own unfinished uploads.
public abstract partial class SampleAppTests
{
    [Fact]
    public async Task A_right_to_left_override_in_a_file_name_is_neither_listed_nor_sent_as_the_download_name()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.Text("spoof");

        var file = await owner.UploadFileAsync("invoice\u202Efdp.exe", content);
        using var redirect = await owner.Http.GetAsync(Url($"/files/{file.Id}/download"));
        using var response = await FetchAnonymouslyAsync(redirect.Headers.Location!.OriginalString);

        Assert.Equal("invoicefdp.exe", file.Name);
        Assert.Equal("invoicefdp.exe", (await owner.ListFilesAsync()).Single(f => f.Id == file.Id).Name);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain('\u202E', response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_name_of_five_thousand_characters_is_kept_as_255_and_its_download_link_works()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.Text("long name");

        // HttpClient sends the name twice (filename and filename*); 5,000 characters keep the part's headers within
        // the multipart reader's 16 KB, as curl's single filename of 15,000 does.
        var file = await owner.UploadFileAsync(new string('n', 5_000) + ".txt", content, "text/plain");
        using var redirect = await owner.Http.GetAsync(Url($"/files/{file.Id}/download"));
        using var response = await FetchAnonymouslyAsync(redirect.Headers.Location!.OriginalString);

        Assert.Equal(255, file.Name.Length);
        Assert.EndsWith("n.txt", file.Name, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_upload_named_like_an_unfinished_one_is_refused_and_nothing_is_stored()
    {
        var owner = await OwnerAsync();
        var before = await StoredAsync("private");

        using var response = await owner.UploadAsync("/api/files", ".coffer-abc.tmp", TestFiles.Text("reserved"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(".coffer-", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StoredAsync("private"));
    }
}
