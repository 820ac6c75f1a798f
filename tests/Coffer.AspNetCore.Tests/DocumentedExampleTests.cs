using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.AspNetCore.Tests;

/// <summary>The first example of docs/aspnetcore.md, as written there, end to end.</summary>
public class DocumentedExampleTests
{
    [Fact]
    public async Task The_first_example_uploads_a_file_and_its_url_downloads_it()
    {
        using var root = new TempFolder();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.Path, EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();

        builder.Services.AddCoffer().AddFileUploader();
        var app = builder.Build();
        app.MapCoffer();

        app.MapPost("/files", async (IFormFile file, [FromKeyedServices("private")] FileStorage storage, FileUploader uploader) =>
        {
            var upload = await uploader.SaveAsync(storage, file, new() { UploadTo = "files/{yyyy}/{MM}" });
            return upload.Succeeded ? Results.Ok(new { upload.Name, storage.GetUrl(upload.Name!).Url }) : upload.Problem;
        }).DisableAntiforgery().WithFileUploadLimits("private"); // the storage's MaxFileSize is the limit, not Kestrel's 30 MB

        await using (app)
        {
            await app.StartAsync();
            using var client = app.GetTestClient();
            using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("quarterly numbers")), "file", "Q3 report.txt" } };

            using var uploaded = await client.PostAsync(new Uri("/files", UriKind.Relative), form);
            var body = await uploaded.Content.ReadFromJsonAsync<Uploaded>();
            using var downloaded = await client.GetAsync(new Uri(body!.Url, UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
            Assert.Matches(@"^files/\d{4}/\d{2}/Q3_report_[a-z0-9]{20}\.txt$", body.Name);
            Assert.StartsWith("/coffer/private/files/", body.Url, StringComparison.Ordinal);
            Assert.Equal("quarterly numbers", await downloaded.Content.ReadAsStringAsync());
        }
    }

    private sealed record Uploaded(string Name, string Url);
}
