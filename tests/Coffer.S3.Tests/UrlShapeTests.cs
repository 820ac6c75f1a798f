using Coffer.S3;
using System.Net.Http.Headers;
using System.Web;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.S3.Tests;

/// <summary>URLs are made without network I/O, so their shape is tested without a server.</summary>
public sealed class UrlShapeTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 17, 12, 0, 0, TimeSpan.Zero);

    private static S3FileStorage Storage(FileVisibility visibility = FileVisibility.Private, Action<S3FileStorageOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new S3FileStorageOptions
        {
            BucketName = "media",
            ServiceUrl = "http://127.0.0.1:4568",
            AccessKey = "CIACCESSKEY0000000001",
            SecretKey = "secret",
            Visibility = visibility,
        };
        configure?.Invoke(options);
        return new S3FileStorage("test", options, timeProvider: time);
    }

    private static Dictionary<string, string> Query(string url)
    {
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        return query.AllKeys.ToDictionary(k => k!, k => query[k]!);
    }

    [Fact]
    public void Private_url_is_a_presigned_get_on_the_http_endpoint_with_its_port()
    {
        using var storage = Storage();
        string url = storage.GetUrl("files/report.pdf").Url;
        Assert.StartsWith("http://127.0.0.1:4568/media/files/report.pdf?", url, StringComparison.Ordinal);
        var query = Query(url);
        Assert.Equal("AWS4-HMAC-SHA256", query["X-Amz-Algorithm"]);
        Assert.StartsWith("CIACCESSKEY0000000001/", query["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.EndsWith("/us-east-1/s3/aws4_request", query["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.Equal("host", query["X-Amz-SignedHeaders"]);
        Assert.Matches("^[0-9a-f]{64}$", query["X-Amz-Signature"]);
    }

    [Fact]
    public void Private_url_expires_after_the_configured_expiry_exactly()
    {
        using var storage = Storage(configure: o => o.UrlExpiry = TimeSpan.FromMinutes(10));
        Assert.Equal("600", Query(storage.GetUrl("a.txt").Url)["X-Amz-Expires"]);
    }

    [Fact]
    public void Default_expiry_is_one_hour()
    {
        using var storage = Storage();
        Assert.Equal("3600", Query(storage.GetUrl("a.txt").Url)["X-Amz-Expires"]);
    }

    [Fact]
    public void Expiry_at_seven_days_is_signed()
    {
        using var storage = Storage();
        var url = storage.GetUrl("a.txt", new FileUrlOptions { Expiry = TimeSpan.FromDays(7) }).Url;
        Assert.Equal("604800", Query(url)["X-Amz-Expires"]);
    }

    [Fact]
    public void Reported_expiry_time_comes_from_the_storage_clock()
    {
        using var storage = Storage(time: new FakeTimeProvider(Now));
        var url = storage.GetUrl("a.txt", new FileUrlOptions { Expiry = TimeSpan.FromSeconds(90) });
        Assert.Equal(Now.AddSeconds(90), url.ExpiresAt);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(7 * 24 * 3600 * 1000L + 1000)]
    public void Expiry_outside_one_second_to_seven_days_throws(long milliseconds)
    {
        using var storage = Storage();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => storage.GetUrl("a.txt", new FileUrlOptions { Expiry = TimeSpan.FromMilliseconds(milliseconds) }));
        Assert.Contains("between 1 second and 7 days", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Location_is_part_of_the_key_in_the_url()
    {
        using var storage = Storage(configure: o => o.Location = "private");
        Assert.StartsWith("http://127.0.0.1:4568/media/private/files/a.txt?", storage.GetUrl("files/a.txt").Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Virtual_addressing_puts_the_bucket_in_the_host()
    {
        using var storage = Storage(configure: o =>
        {
            o.ServiceUrl = "http://s3.localhost:4568";
            o.AddressingStyle = S3AddressingStyle.VirtualHosted;
        });
        Assert.StartsWith("http://media.s3.localhost:4568/a.txt?", storage.GetUrl("a.txt").Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_url_is_signed_for_the_public_endpoint_when_set()
    {
        using var storage = Storage(configure: o =>
        {
            o.ServiceUrl = "http://rgw.internal:8080";
            o.PublicEndpoint = "https://files.example.com";
        });
        Assert.StartsWith("https://files.example.com/media/a.txt?X-Amz-", storage.GetUrl("a.txt").Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_endpoint_keeps_its_port_and_http()
    {
        using var storage = Storage(configure: o =>
        {
            o.ServiceUrl = "https://rgw.internal";
            o.PublicEndpoint = "http://localhost:8081";
        });
        Assert.StartsWith("http://localhost:8081/media/a.txt?", storage.GetUrl("a.txt").Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Aws_url_is_virtual_hosted_https_in_the_region()
    {
        using var storage = Storage(configure: o =>
        {
            o.ServiceUrl = null;
            o.Region = "eu-west-1";
        });
        var uri = new Uri(storage.GetUrl("a.txt").Url);
        Assert.Equal("https", uri.Scheme);
        Assert.StartsWith("media.s3", uri.Host, StringComparison.Ordinal);
        Assert.EndsWith(".amazonaws.com", uri.Host, StringComparison.Ordinal);
        Assert.Contains("%2Feu-west-1%2Fs3%2Faws4_request", uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public void Download_name_travels_as_a_signed_content_disposition_override()
    {
        using var storage = Storage();
        var query = Query(storage.GetUrl("a.bin", new FileUrlOptions { DownloadFileName = "Rapport été \"final\".pdf", ContentType = "application/pdf" }).Url);
        var disposition = ContentDispositionHeaderValue.Parse(query["response-content-disposition"]);
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Rapport été \"final\".pdf", disposition.FileNameStar);
        Assert.Equal("application/pdf", query["response-content-type"]);
    }

    [Fact]
    public void Public_url_is_plain_on_the_endpoint_and_never_expires()
    {
        using var storage = Storage(FileVisibility.Public);
        var url = storage.GetUrl("files/a b+c.txt");
        Assert.Equal("http://127.0.0.1:4568/media/files/a%20b%2Bc.txt", url.Url);
        Assert.Null(url.ExpiresAt);
    }

    [Fact]
    public void Public_url_uses_the_custom_domain_and_its_scheme()
    {
        using var storage = Storage(FileVisibility.Public, o =>
        {
            o.CustomDomain = "cdn.example.com";
            o.Location = "media";
        });
        Assert.Equal("https://cdn.example.com/media/files/a.txt", storage.GetUrl("files/a.txt").Url);
    }

    [Fact]
    public void Public_url_with_virtual_addressing_puts_the_bucket_in_the_host()
    {
        using var storage = Storage(FileVisibility.Public, o =>
        {
            o.ServiceUrl = "http://s3.localhost:4568";
            o.AddressingStyle = S3AddressingStyle.VirtualHosted;
        });
        Assert.Equal("http://media.s3.localhost:4568/a.txt", storage.GetUrl("a.txt").Url);
    }

    [Fact]
    public void Public_storage_with_query_string_auth_signs_its_urls()
    {
        using var storage = Storage(FileVisibility.Public, o => o.QueryStringAuth = true);
        var url = storage.GetUrl("a.txt");
        Assert.Contains("X-Amz-Signature=", url.Url, StringComparison.Ordinal);
        Assert.NotNull(url.ExpiresAt);
    }

    [Fact]
    public void Unsigned_url_refuses_response_overrides()
    {
        using var storage = Storage(FileVisibility.Public);
        var ex = Assert.Throws<ArgumentException>(() => storage.GetUrl("a.txt", new FileUrlOptions { DownloadFileName = "b.txt" }));
        Assert.Contains("gives plain URLs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compatible_store_gets_checksums_only_when_required()
    {
        var config = S3FileStorage.CreateConfig(new S3FileStorageOptions { BucketName = "media" }, "http://127.0.0.1:4568");
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("http://127.0.0.1:4568", config.ServiceURL.TrimEnd('/'));
    }

    [Fact]
    public void Aws_keeps_the_sdk_checksum_defaults_and_virtual_hosts()
    {
        var config = S3FileStorage.CreateConfig(new S3FileStorageOptions { BucketName = "media" }, null);
        Assert.Equal(RequestChecksumCalculation.WHEN_SUPPORTED, config.RequestChecksumCalculation);
        Assert.False(config.ForcePathStyle);
    }

    [Fact]
    public void Path_style_can_be_forced_on_aws()
    {
        var config = S3FileStorage.CreateConfig(new S3FileStorageOptions { BucketName = "media", AddressingStyle = S3AddressingStyle.Path }, null);
        Assert.True(config.ForcePathStyle);
    }

    [Fact]
    public void Url_for_a_traversal_name_is_refused_before_signing()
    {
        using var storage = Storage();
        Assert.Throws<InvalidFileNameException>(() => storage.GetUrl("../secret.txt"));
    }

    [Fact]
    public void Options_become_read_only_so_the_cached_acl_and_signing_flag_cannot_go_stale()
    {
        using var storage = Storage();

        Assert.Throws<InvalidOperationException>(() => storage.Options.Visibility = FileVisibility.Public);
        Assert.Throws<InvalidOperationException>(() => storage.Options.QueryStringAuth = false);
        Assert.Throws<InvalidOperationException>(() => storage.Options.DefaultAcl = "public-read");
        Assert.Throws<NotSupportedException>(() => storage.Options.Metadata["owner"] = "someone");
        Assert.NotNull(storage.GetUrl("a.txt").ExpiresAt); // still signed, as built
    }
}
