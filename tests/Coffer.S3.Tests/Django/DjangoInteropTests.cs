using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;

namespace Coffer.S3.Tests.Django;

/// <summary>
/// Coming from Django without moving a byte: Debian's django-storages 1.13 (<c>PrivateMediaStorage</c>, location
/// <c>private</c>) and Coffer's S3 storage on one bucket of the real RGW, each reading what the other wrote from the
/// same column value. The Django side is <c>Django/interop.py</c>; <c>scripts/django.sh start</c> installs it.
/// </summary>
public sealed class DjangoInteropTests(S3Server server) : S3TestBase(server)
{
    private static readonly byte[] Report = Encoding.ASCII.GetBytes("%PDF-1.4\n% a report both apps read\n%%EOF\n");

    private DjangoApp Django => new(Server, Bucket);

    // What a team moving off PrivateMediaStorage sets in Coffer: location = "private", default_acl = "private".
    private S3FileStorage CreateCofferStorage(Action<S3FileStorageOptions>? configure = null) =>
        CreateStorage(FileVisibility.Private, options =>
        {
            options.Location = "private";
            options.DefaultAcl = "private";
            configure?.Invoke(options);
        });

    [Fact]
    public async Task A_file_Django_saved_is_found_sized_opened_and_served_by_Coffer_from_its_column_value()
    {
        var saved = await Django.SaveAsync("report.pdf", Report);
        string column = saved.GetProperty("name").GetString()!;
        Assert.Equal("files/report.pdf", column);
        Assert.Equal("private/files/report.pdf", saved.GetProperty("key").GetString());

        var storage = CreateCofferStorage();
        Assert.True(await storage.ExistsAsync(column));
        var info = await storage.GetInfoAsync(column);
        Assert.Equal(Report.Length, info.Length);
        Assert.Equal(saved.GetProperty("content_type").GetString(), info.ContentType);
        await using (var opened = await storage.OpenReadAsync(column))
        {
            Assert.Equal(Report, await ReadAllAsync(opened));
        }

        Assert.Equal("application/pdf", (await FetchReportAsync(storage.GetUrl(column).Url)).ContentType);
    }

    [Fact]
    public async Task A_file_Coffer_saved_is_listed_opened_sized_and_given_a_working_url_by_Django()
    {
        var storage = CreateCofferStorage();
        string name = await storage.SaveAsync("report.pdf", new MemoryStream(Report), new FileSaveOptions { UploadTo = "files" });
        // A private name carries Coffer's token; to Django it is just a key like any other.
        Assert.Matches($"^files/report_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.pdf$", name);

        var read = await Django.ReadAsync(name);
        Assert.Equal(name, read.GetProperty("name").GetString());
        Assert.True(read.GetProperty("exists").GetBoolean());
        Assert.Equal(Report.Length, read.GetProperty("size").GetInt64());
        Assert.Equal([Path.GetFileName(name)], read.GetProperty("listdir").GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(Report, Convert.FromBase64String(read.GetProperty("content_base64").GetString()!));

        string url = read.GetProperty("url").GetString()!;
        Assert.StartsWith($"{Server.Endpoint}/{Bucket}/{storage.GetObjectKey(name)}?", url, StringComparison.Ordinal);
        Assert.Equal("application/pdf", (await FetchReportAsync(url)).ContentType);
    }

    [Fact]
    public async Task A_download_name_gives_the_same_attachment_through_a_Django_url_and_a_Coffer_url()
    {
        var storage = CreateCofferStorage();
        string name = await storage.SaveAsync("report.pdf", new MemoryStream(Report), new FileSaveOptions { UploadTo = "files" });
        var read = await Django.ReadAsync(name, downloadName: "Q3 report.pdf");

        var django = await FetchReportAsync(read.GetProperty("download_url").GetString()!);
        var coffer = await FetchReportAsync(storage.GetUrl(name, new FileUrlOptions { DownloadFileName = "Q3 report.pdf" }).Url);
        Assert.Equal(("attachment", "Q3 report.pdf", "application/pdf"), (django.Type, django.FileName, django.ContentType));
        Assert.Equal((django.Type, django.FileName, django.ContentType), (coffer.Type, coffer.FileName, coffer.ContentType));
        // Where they differ on purpose: Coffer adds the exact name as UTF-8 (RFC 8187), Django sends what it was given.
        Assert.Null(django.FileNameStar);
        Assert.Equal("Q3 report.pdf", coffer.FileNameStar);
    }

    [Fact]
    public async Task A_Content_Disposition_and_ACL_stored_by_one_side_are_served_and_kept_by_the_other()
    {
        var saved = await Django.SaveAsync("report.pdf", Report, """{"ContentDisposition": "attachment"}""");
        var coffer = CreateCofferStorage(options => options.ContentDisposition = "attachment");
        string fromDjango = saved.GetProperty("name").GetString()!;
        string fromCoffer = await coffer.SaveAsync("report.pdf", new MemoryStream(Report), new FileSaveOptions { UploadTo = "files" });

        Assert.Equal("attachment", (await FetchReportAsync(coffer.GetUrl(fromDjango).Url)).Type);
        Assert.Equal("attachment", (await FetchReportAsync((await Django.ReadAsync(fromCoffer)).GetProperty("url").GetString()!)).Type);

        // default_acl = "private" and DefaultAcl = "private" leave the same grants: the owner's, nobody else's.
        var djangoAcl = await Server.Client.GetObjectAclAsync(new GetObjectAclRequest { BucketName = Bucket, Key = saved.GetProperty("key").GetString() });
        var cofferAcl = await Server.Client.GetObjectAclAsync(new GetObjectAclRequest { BucketName = Bucket, Key = coffer.GetObjectKey(fromCoffer) });
        Assert.Equal(Grants(djangoAcl), Grants(cofferAcl));
        Assert.Equal(["FULL_CONTROL"], Grants(cofferAcl));
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("table.csv")]
    [InlineData("photo.jpg")]
    [InlineData("drawing.svg")]
    [InlineData("letter.docx")]
    [InlineData("clip.mp4")]
    [InlineData("bundle.zip")]
    public async Task Django_and_Coffer_store_the_same_content_type_for_a_name(string original)
    {
        var saved = await Django.SaveAsync(original, Report);
        var coffer = CreateCofferStorage();
        string fromCoffer = await coffer.SaveAsync(original, new MemoryStream(Report), new FileSaveOptions { UploadTo = "files" });

        var cofferHead = await Server.Client.GetObjectMetadataAsync(Bucket, coffer.GetObjectKey(fromCoffer));
        Assert.Equal(saved.GetProperty("content_type").GetString(), cofferHead.Headers.ContentType);
        Assert.NotEqual(ContentTypes.Default, cofferHead.Headers.ContentType);
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("content_encoding").ValueKind);
    }

    [Fact]
    public async Task A_gzip_file_is_stored_by_Django_as_its_inner_type_with_Content_Encoding_and_by_Coffer_as_application_gzip()
    {
        var saved = await Django.SaveAsync("export.csv.gz", Report);
        var coffer = CreateCofferStorage();
        string fromCoffer = await coffer.SaveAsync("export.csv.gz", new MemoryStream(Report), new FileSaveOptions { UploadTo = "files" });

        // Python's mimetypes gives ("text/csv", "gzip") and django-storages stores both: a browser then unpacks the
        // download. Coffer keeps the bytes what they are, so the user downloads the .gz they uploaded.
        Assert.Equal(("text/csv", "gzip"), (saved.GetProperty("content_type").GetString(), saved.GetProperty("content_encoding").GetString()));
        var cofferHead = await Server.Client.GetObjectMetadataAsync(Bucket, coffer.GetObjectKey(fromCoffer));
        Assert.Equal(("application/gzip", null), (cofferHead.Headers.ContentType, cofferHead.Headers.ContentEncoding));
    }

    private static string[] Grants(GetObjectAclResponse acl) =>
        [.. (acl.Grants ?? []).Select(g => g.Grantee?.URI is { Length: > 0 } uri ? $"{g.Permission}:{uri}" : g.Permission.Value).Order()];

    /// <summary>GETs a URL of <see cref="Report"/> as a browser would; checks that it serves exactly its bytes.</summary>
    private async Task<Served> FetchReportAsync(string url)
    {
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Report, await response.Content.ReadAsByteArrayAsync());
        ContentDispositionHeaderValue? disposition = response.Content.Headers.ContentDisposition;
        // FileName keeps the quotes of a quoted-string, when the server kept them.
        return new Served(response.Content.Headers.ContentType?.MediaType, disposition?.DispositionType, disposition?.FileName?.Trim('"'), disposition?.FileNameStar);
    }

    private sealed record Served(string? ContentType, string? Type, string? FileName, string? FileNameStar);
}
