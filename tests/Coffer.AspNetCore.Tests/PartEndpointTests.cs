using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Coffer.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.AspNetCore.Tests;

/// <summary>
/// MapCoffer's PUT: the endpoint a client sends the parts of a direct upload to a private local storage to. The part
/// URL's signature is the whole permission, for that upload, part and length only.
/// </summary>
public class PartEndpointTests
{
    private const int MiB = 1024 * 1024;

    private static Uri Relative(string url) => new(url, UriKind.Relative);

    private static async Task<(LocalFileStorage Storage, string Name, DirectUploadPlan Plan)> StartAsync(TestApp app, long length, string storage = "private")
    {
        var local = (LocalFileStorage)app.Storage(storage);
        string name = local.GetSaveName("holiday.mov", new() { UploadTo = "uploads" });
        var plan = await local.StartDirectUploadAsync(name, length, "video/quicktime", TimeSpan.FromHours(1));
        return (local, name, plan);
    }

    private static string PartUrl(LocalFileStorage storage, string name, DirectUploadPlan plan, int part, long length) =>
        storage.GetDirectUploadPartUrl(name, plan.UploadId!, part, plan.GetPartLength(part, length), TimeSpan.FromMinutes(10)).Url;

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string url, byte[] body) =>
        client.PutAsync(Relative(url), new ByteArrayContent(body));

    private static byte[] Bytes(int length, int seed = 3)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task The_parts_put_to_their_urls_complete_into_the_file_its_download_url_serves()
    {
        await using var app = await TestApp.StartAsync();
        byte[] content = Bytes(8 * MiB + 5);
        var (storage, name, plan) = await StartAsync(app, content.Length);

        using var second = await PutAsync(app.Client, PartUrl(storage, name, plan, 2, content.Length), content[(8 * MiB)..]);
        using var first = await PutAsync(app.Client, PartUrl(storage, name, plan, 1, content.Length), content[..(8 * MiB)]);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotNull(first.Headers.ETag);
        Assert.NotEqual(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal([new UploadedPart(1, 8 * MiB), new UploadedPart(2, 5)], await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        await storage.CompleteDirectUploadAsync(name, plan.UploadId!, content.Length);
        using var download = await app.Client.GetAsync(Relative(storage.GetUrl(name).Url));
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("sig")]
    [InlineData("part")]
    [InlineData("len")]
    [InlineData("upload")]
    [InlineData("name")]
    [InlineData("no upload parameters")]
    [InlineData("part with a leading zero")]
    public async Task A_changed_part_url_is_forbidden_and_the_response_says_nothing_more(string change)
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 8 * MiB + 5);
        string url = PartUrl(storage, name, plan, 2, 8 * MiB + 5);
        int sig = url.IndexOf("&sig=", StringComparison.Ordinal) + 5;
        (string changed, int length) = change switch
        {
            "sig" => (url[..sig] + (url[sig] == 'A' ? "B" : "A") + url[(sig + 1)..], 5),
            "part" => (url.Replace("&part=2&", "&part=1&", StringComparison.Ordinal), 5),
            "len" => (url.Replace("&len=5&", "&len=4&", StringComparison.Ordinal), 4), // a body of the length the URL now says
            "upload" => (url.Replace(plan.UploadId!, new string('0', 32), StringComparison.Ordinal), 5),
            "name" => (url.Replace(".mov?", ".mp4?", StringComparison.Ordinal), 5),
            "no upload parameters" => (url[..url.IndexOf('?', StringComparison.Ordinal)] + "?" + url[url.IndexOf("exp=", StringComparison.Ordinal)..], 5),
            _ => (url.Replace("&part=2&", "&part=02&", StringComparison.Ordinal), 5),
        };
        Assert.NotEqual(url, changed);

        using var response = await PutAsync(app.Client, changed, new byte[length]);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task An_expired_part_url_is_forbidden()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        var (storage, name, plan) = await StartAsync(app, 5);
        string url = storage.GetDirectUploadPartUrl(name, plan.UploadId!, 1, 5, TimeSpan.FromMinutes(5)).Url;

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        using var response = await PutAsync(app.Client, url, new byte[5]);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4002);
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task A_download_url_is_no_part_url_and_a_part_url_is_no_download_url()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 5);
        using (var existing = new MemoryStream(new byte[5]))
        {
            // A file under another name, whose download URL is then tried as a part URL of this name's upload.
            await storage.SaveAsync(name + ".txt", existing, new() { ExactName = true });
        }

        string download = storage.GetUrl(name + ".txt").Url;
        string partUrl = PartUrl(storage, name, plan, 1, 5);
        string query = partUrl[partUrl.IndexOf('?', StringComparison.Ordinal)..];
        string downloadQuery = download[(download.IndexOf('?', StringComparison.Ordinal) + 1)..];

        using var asIs = await PutAsync(app.Client, download, new byte[5]);
        using var withUploadParameters = await PutAsync(app.Client,
            download.Replace("?", $"?upload={plan.UploadId}&part=1&len=5&", StringComparison.Ordinal), new byte[5]);
        using var onThisName = await PutAsync(app.Client, $"/coffer/private/{name}?upload={plan.UploadId}&part=1&len=5&{downloadQuery}", new byte[5]);
        using var partAsDownload = await app.Client.GetAsync(Relative(partUrl));
        using var partQueryOnTheFile = await app.Client.GetAsync(Relative($"/coffer/private/{name}.txt{query}"));

        Assert.Equal(HttpStatusCode.Forbidden, asIs.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withUploadParameters.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, onThisName.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, partAsDownload.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, partQueryOnTheFile.StatusCode);
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task A_body_longer_than_signed_is_a_413_problem_and_no_part_is_kept()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 8 * MiB + 5);

        using var response = await PutAsync(app.Client, PartUrl(storage, name, plan, 2, 8 * MiB + 5), new byte[6]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("5 bytes its URL was signed for", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        Assert.Empty(Directory.GetFiles(storage.RootDirectory, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_body_shorter_than_signed_is_a_400_problem_and_no_part_is_kept()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 8 * MiB + 5);

        using var response = await PutAsync(app.Client, PartUrl(storage, name, plan, 2, 8 * MiB + 5), new byte[4]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task A_part_without_content_length_is_411()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 5);
        using var content = new StreamContent(new NonSeekableStream(new byte[5]));

        using var response = await app.Client.PutAsync(Relative(PartUrl(storage, name, plan, 1, 5)), content);

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task A_part_of_an_upload_that_was_aborted_is_404()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 5);
        string url = PartUrl(storage, name, plan, 1, 5);
        await storage.AbortDirectUploadAsync(name, plan.UploadId);

        using var response = await PutAsync(app.Client, url, new byte[5]);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Directory.GetFiles(storage.RootDirectory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_put_to_an_unknown_storage_is_404_and_to_a_public_one_405()
    {
        await using var app = await TestApp.StartAsync();
        var (storage, name, plan) = await StartAsync(app, 5);
        string url = PartUrl(storage, name, plan, 1, 5);

        using var unknown = await PutAsync(app.Client, url.Replace("/coffer/private/", "/coffer/nosuch/", StringComparison.Ordinal), new byte[5]);
        using var publicStorage = await PutAsync(app.Client, url.Replace("/coffer/private/", "/coffer/public/", StringComparison.Ordinal), new byte[5]);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, publicStorage.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(((LocalFileStorage)app.Storage("public")).RootDirectory, ".coffer-uploads")));
    }

    [Fact]
    public async Task A_part_larger_than_kestrels_default_body_limit_is_received_whole()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        // 400 GiB in at most 10,000 parts: 41 MiB each, above Kestrel's default limit of 30,000,000 bytes. Only the
        // first part is sent; nothing of the rest is written anywhere.
        var (storage, name, plan) = await StartAsync(app, 400L * 1024 * MiB);
        long partLength = plan.GetPartLength(1, 400L * 1024 * MiB);
        Assert.True(partLength > 40_000_000);

        using var response = await app.Client.PutAsync(Relative(storage.GetDirectUploadPartUrl(name, plan.UploadId!, 1, partLength, TimeSpan.FromMinutes(10)).Url),
            new GeneratedContent(partLength));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([new UploadedPart(1, partLength)], await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_part_leaves_nothing_of_it()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var (storage, name, plan) = await StartAsync(app, 8 * MiB + 5);
        var url = new Uri(app.Client.BaseAddress!, PartUrl(storage, name, plan, 1, 8 * MiB + 5));
        string uploadFolder = Directory.GetDirectories(Directory.GetDirectories(Path.Combine(storage.RootDirectory, ".coffer-uploads")).Single()).Single();

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(url.Host, url.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"PUT {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Length: {8 * MiB}\r\n\r\n"));
            await stream.WriteAsync(new byte[MiB]);
            await stream.FlushAsync();
            for (int i = 0; i < 300 && Directory.GetFiles(uploadFolder, "*.partial").Length == 0; i++)
            {
                await Task.Delay(10);
            }

            Assert.Single(Directory.GetFiles(uploadFolder, "*.partial")); // the part is on its way
            socket.Client.LingerState = new LingerOption(true, 0); // a reset, as a closed tab or a lost network gives
        }

        for (int i = 0; i < 500 && Directory.GetFiles(uploadFolder, "*.partial").Length > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(Directory.GetFiles(uploadFolder, "*.partial"));
        Assert.Empty(await storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1012);
    }
}
