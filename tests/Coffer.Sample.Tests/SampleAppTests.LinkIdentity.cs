using System.Net;
using System.Net.Http.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

// A link reaches one upload, never its successor: the attack of issue 10 (a stale link serving another user's
// later file of the same name), replayed on every configuration.
public abstract partial class SampleAppTests
{
    // A name no other test of the app uses, so that it is free when Eve takes it and free again after her delete:
    // exactly the attacker's case with a name as common as "image.png".
    private static string FreshName(string root, string extension) => $"{root}-{Guid.NewGuid():N}"[..(root.Length + 9)] + extension;

    [Fact]
    public async Task A_share_link_of_a_deleted_file_never_serves_another_users_later_file_of_the_same_name()
    {
        var eve = await StrangerAsync();
        var alice = await OwnerAsync();
        string fileName = FreshName("passport-scan", ".pdf");
        var decoy = await eve.UploadFileAsync(fileName, TestFiles.Text("eve's decoy"), "application/pdf");
        using var shared = await eve.ShareAsync(decoy.Id, expiresInSeconds: 604800);
        await ApiUser.EnsureStatusAsync(shared, HttpStatusCode.OK);
        var link = (await shared.Content.ReadFromJsonAsync<LinkDto>())!;
        using (var deleted = await eve.Http.DeleteAsync(Url($"/api/files/{decoy.Id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        byte[] secret = TestFiles.Text("alice's passport");
        await alice.UploadFileAsync(fileName, secret, "application/pdf");
        using var response = await FetchAnonymouslyAsync(link.Url);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Forbidden });
        Assert.NotEqual(secret, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_download_redirect_of_a_deleted_file_never_serves_another_users_later_file_of_the_same_name()
    {
        var eve = await StrangerAsync();
        var alice = await OwnerAsync();
        string fileName = FreshName("image", ".png");
        var decoy = await eve.UploadFileAsync(fileName, TestFiles.Text("eve's decoy"), "image/png");
        using var redirect = await eve.Http.GetAsync(Url($"/files/{decoy.Id}/download"));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        string location = redirect.Headers.Location!.OriginalString;
        using (var deleted = await eve.Http.DeleteAsync(Url($"/api/files/{decoy.Id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        byte[] secret = TestFiles.Text("alice's pasted screenshot");
        await alice.UploadFileAsync(fileName, secret, "image/png");
        using var response = await FetchAnonymouslyAsync(location);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Forbidden });
        Assert.NotEqual(secret, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Two_users_uploading_the_same_name_at_once_are_each_served_only_their_own_bytes()
    {
        var eve = await StrangerAsync();
        var alice = await OwnerAsync();
        var uploads = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            var user = i % 2 == 0 ? alice : eve;
            byte[] content = TestFiles.Text($"upload {i} by {user.Email}");
            return (content, file: await user.UploadFileAsync("image.png", content, "image/png"));
        }));

        Assert.Equal(10, uploads.Select(u => u.file.Url).Distinct(StringComparer.Ordinal).Count());
        foreach (var (content, file) in uploads)
        {
            using var response = await FetchAnonymouslyAsync(file.Url);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }
    }
}
