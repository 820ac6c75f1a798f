using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Coffer.S3.Tests.Integration;

public sealed class UrlTests(S3Server server) : S3TestBase(server)
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("private bytes \u00e9\u00e8 \ud83d\ude00 0123456789");

    private async Task<(S3FileStorage Storage, string Name)> SavePrivateAsync()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("secret.txt", new MemoryStream(Secret));
        return (storage, name);
    }

    [Fact]
    public async Task Private_object_is_forbidden_to_an_anonymous_get()
    {
        var (storage, name) = await SavePrivateAsync();
        string plain = $"{Server.Endpoint}/{Bucket}/{storage.GetObjectKey(name)}";
        using var response = await Server.Http.GetAsync(plain);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Presigned_url_returns_exactly_the_stored_bytes()
    {
        var (storage, name) = await SavePrivateAsync();
        using var response = await Server.Http.GetAsync(storage.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Secret, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Tampered_signature_is_forbidden()
    {
        var (storage, name) = await SavePrivateAsync();
        string url = storage.GetUrl(name).Url;
        int at = url.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length;
        string tampered = url[..at] + (url[at] == '0' ? '1' : '0') + url[(at + 1)..];
        using var response = await Server.Http.GetAsync(tampered);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Url_with_a_lengthened_expiry_is_forbidden()
    {
        var (storage, name) = await SavePrivateAsync();
        string url = storage.GetUrl(name).Url.Replace("X-Amz-Expires=3600", "X-Amz-Expires=7200", StringComparison.Ordinal);
        Assert.Contains("X-Amz-Expires=7200", url, StringComparison.Ordinal);
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Url_moved_to_another_object_is_forbidden()
    {
        var (storage, name) = await SavePrivateAsync();
        string other = await storage.SaveAsync("other.txt", new MemoryStream("other"u8.ToArray()));
        string url = storage.GetUrl(name).Url.Replace(name, other, StringComparison.Ordinal);
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Expired_url_is_forbidden()
    {
        var (storage, name) = await SavePrivateAsync();
        string url = storage.GetUrl(name, new FileUrlOptions { Expiry = TimeSpan.FromSeconds(1) }).Url;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Url_signed_with_another_secret_key_is_forbidden()
    {
        var (_, name) = await SavePrivateAsync();
        var impostor = CreateStorage(configure: o => o.SecretKey = "not-the-secret-key-000000000000000000000");
        using var response = await Server.Http.GetAsync(impostor.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Url_signed_with_an_unknown_access_key_is_forbidden()
    {
        var (_, name) = await SavePrivateAsync();
        var impostor = CreateStorage(configure: o => o.AccessKey = "UNKNOWNACCESSKEY0001");
        using var response = await Server.Http.GetAsync(impostor.GetUrl(name).Url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Public_object_is_readable_anonymously_at_its_plain_url()
    {
        var storage = CreateStorage(FileVisibility.Public);
        string name = await storage.SaveAsync("logo.png", new MemoryStream(Secret));
        var url = storage.GetUrl(name);
        Assert.DoesNotContain("X-Amz-", url.Url, StringComparison.Ordinal);
        using var response = await Server.Http.GetAsync(url.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Secret, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Download_name_with_unicode_and_quotes_reaches_the_browser_as_content_disposition()
    {
        var (storage, name) = await SavePrivateAsync();
        const string downloadName = "Rapport d'été \"final\" 日本 😀.txt";
        string url = storage.GetUrl(name, new FileUrlOptions { DownloadFileName = downloadName, ContentType = "text/plain; charset=utf-8" }).Url;
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.NotNull(disposition);
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal(downloadName, disposition.FileNameStar);
        Assert.Equal("Rapport d'_t_ _final_ __ __.txt", disposition.FileName); // the ASCII fallback: quotes and non-ASCII become _
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(Secret, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Url_signed_for_a_public_endpoint_works_when_that_host_reaches_the_server()
    {
        // The app talks to 127.0.0.1; browsers reach the same server as s3.localhost (RGW's rgw_dns_name), through a
        // proxy or DNS. A URL is only valid for the host it was signed for, so it is signed for s3.localhost.
        var (_, name) = await SavePrivateAsync();
        var endpoint = new Uri(Server.Endpoint);
        string publicEndpoint = $"{endpoint.Scheme}://s3.localhost:{endpoint.Port}";
        var storage = CreateStorage(configure: o => o.PublicEndpoint = publicEndpoint);
        string url = storage.GetUrl(name).Url;
        Assert.StartsWith(publicEndpoint + "/", url, StringComparison.Ordinal);

        using var browser = new HttpClient(new SocketsHttpHandler
        {
            // The "DNS" of this browser: every host is the test server.
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        });
        using var response = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Secret, await response.Content.ReadAsByteArrayAsync());

        // The same URL sent to the internal host is refused: the signature covers the host.
        using var internalResponse = await Server.Http.GetAsync(url.Replace(publicEndpoint, Server.Endpoint, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, internalResponse.StatusCode);
    }
}
