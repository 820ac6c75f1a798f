using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Coffer.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Tests;

public class FileUploaderTests
{
    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["Coffer:Storages:limited:MaxFileSize"] = "1000",
        ["Coffer:Storages:limited:AllowedContentTypes:0"] = "image/png",
        ["Coffer:Storages:limited:AllowedContentTypes:1"] = "text/*",
    };

    private static void MapUploads(IEndpointRouteBuilder e)
    {
        e.MapPost("/form/{storage}", async (string storage, IFormFile file, FileUploader uploader, IFileStorageProvider storages) =>
            Answer(await uploader.SaveAsync(storages.GetStorage(storage), file, new() { UploadTo = "files" })))
            .DisableAntiforgery();
        e.MapPost("/stream/{storage}", async (string storage, HttpRequest request, FileUploader uploader, IFileStorageProvider storages) =>
            Answer(await uploader.SaveMultipartAsync(storages.GetStorage(storage), request, "file", new() { UploadTo = "files" })));
    }

    private static IResult Answer(FileUploadResult result) =>
        result.Succeeded ? Results.Ok(new Stored(result.Name!, result.FileName!, result.ContentType!, result.Length)) : result.Problem!;

    private sealed record Stored(string Name, string FileName, string ContentType, long Length);

    private sealed record Problem(int Status, string Title, string Detail);

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(Limits, endpoints: MapUploads);

    private static async Task<HttpResponseMessage> UploadAsync(TestApp app, string mode, string storage, byte[] content, string fileName, string? contentType)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        if (contentType is not null)
        {
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        form.Add(new StringContent("before the file"), "title");
        form.Add(part, "file", fileName);
        return await app.Client.PostAsync(new Uri($"/{mode}/{storage}", UriKind.Relative), form);
    }

    private static string[] StoredFiles(TestApp app, string storage)
    {
        string folder = ((LocalFileStorage)app.Storage(storage)).RootDirectory;
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task An_accepted_file_is_stored_under_its_cleaned_name(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", Encoding.UTF8.GetBytes("a small note"), "my note.txt", "text/plain");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<Stored>();
        Assert.Matches("^files/my_note_[a-z0-9]{20}\\.txt$", stored!.Name);
        Assert.Equal(new Stored(stored.Name, "my note.txt", "text/plain", 12), stored);
        Assert.Equal("a small note", await File.ReadAllTextAsync(((LocalFileStorage)app.Storage("limited")).GetPath(stored!.Name)));
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task The_folders_of_the_client_file_name_are_dropped(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", [1, 2, 3], "C:\\Users\\me\\photo.png", "image/png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("^files/photo_[a-z0-9]{20}\\.png$", (await response.Content.ReadFromJsonAsync<Stored>())!.Name);
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task A_file_over_the_size_limit_is_refused_with_413_and_nothing_is_stored(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", new byte[1001], "big.png", "image/png");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(new Problem(413, "File too large", "The file is larger than 1000 B, the most that storage 'limited' accepts (MaxFileSize: 1,000 bytes)."), problem);
        Assert.Empty(StoredFiles(app, "limited"));
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task A_file_at_the_size_limit_is_accepted(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", new byte[1000], "exact.png", "image/png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, (await response.Content.ReadFromJsonAsync<Stored>())!.Length);
    }

    [Theory]
    [InlineData("form", "drawing.svg", "image/svg+xml")]
    [InlineData("stream", "drawing.svg", "image/svg+xml")]
    [InlineData("form", "archive.zip", "application/zip")]
    [InlineData("stream", "archive.zip", null)]
    [InlineData("form", "photo.png", "application/zip")]
    [InlineData("stream", "photo.png", "application/zip")]
    public async Task A_type_outside_the_allowlist_is_refused_with_415_and_nothing_is_stored(string mode, string fileName, string? declared)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", [1, 2, 3], fileName, declared);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal("Unsupported file type", problem!.Title);
        Assert.EndsWith("are not accepted here. Accepted types: image/png, text/*.", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(StoredFiles(app, "limited"));
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task A_file_with_an_allowed_extension_and_no_declared_type_is_accepted(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", [1, 2, 3], "photo.png", "application/octet-stream");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", (await response.Content.ReadFromJsonAsync<Stored>())!.ContentType);
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task An_empty_file_is_refused_with_400_and_nothing_is_stored(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "limited", [], "empty.txt", "text/plain");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal(new Problem(400, "Empty file", "The file is empty. Storage 'limited' does not accept empty files (AllowEmptyFiles is off)."), problem);
        Assert.Empty(StoredFiles(app, "limited"));
    }

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task A_file_name_with_nothing_usable_is_refused_with_400_and_nothing_is_stored(string mode)
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, mode, "private", [1, 2, 3], "???", "text/plain");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal("Invalid file name", problem!.Title);
        Assert.StartsWith("Could not derive a file name from '???'", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(StoredFiles(app, "private"));
    }

    [Fact]
    public async Task A_streamed_file_larger_than_any_buffer_is_stored_whole()
    {
        await using var app = await StartAsync();
        var content = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(content);

        using var response = await UploadAsync(app, "stream", "private", content, "large.bin", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<Stored>();
        Assert.Equal(content.Length, stored!.Length);
        Assert.Equal(content, await File.ReadAllBytesAsync(((LocalFileStorage)app.Storage("private")).GetPath(stored.Name)));
    }

    [Fact]
    public async Task A_streamed_request_that_is_not_multipart_is_refused_with_415()
    {
        await using var app = await StartAsync();

        using var response = await app.Client.PostAsync(new Uri("/stream/private", UriKind.Relative), new StringContent("just text"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("The request must be multipart/form-data, with the file in the field 'file'.", (await response.Content.ReadFromJsonAsync<Problem>())!.Detail);
    }

    [Fact]
    public async Task A_streamed_request_without_the_file_field_is_refused_with_400()
    {
        await using var app = await StartAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2]), "attachment", "a.txt" }, { new StringContent("x"), "file" } };

        using var response = await app.Client.PostAsync(new Uri("/stream/private", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The request has no file in the form field 'file'.", (await response.Content.ReadFromJsonAsync<Problem>())!.Detail);
        Assert.Empty(StoredFiles(app, "private"));
    }

    [Fact]
    public async Task A_refused_upload_is_logged()
    {
        await using var app = await StartAsync();

        using var response = await UploadAsync(app, "form", "limited", new byte[1001], "big.png", "image/png");

        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4004 && e.Message.StartsWith("Refused an upload to storage limited with status 413", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_storage_is_logged_as_a_warning_that_names_the_storage_and_the_operation_and_carries_the_exception()
    {
        await using var app = await StartAsync();
        var uploader = app.Services.GetRequiredService<FileUploader>();
        var cause = new StorageUnavailableException("limited", "Storage 'limited' could not reach S3 at http://127.0.0.1:9 for PUT of files/a.txt: Connection refused",
            new HttpRequestException("Connection refused (127.0.0.1:9)"));

        var problem = uploader.ToProblem(app.Storage("limited"), cause);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem?.StatusCode);
        var entry = Assert.Single(app.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal((4007, LogLevel.Warning), (entry.EventId.Id, entry.Level));
        Assert.Equal("Storage limited could not be reached to save an upload; the client was told to try again: "
            + "Storage 'limited' could not reach S3 at http://127.0.0.1:9 for PUT of files/a.txt: Connection refused", entry.Message);
        Assert.Same(cause, entry.Exception);
    }

    [Fact]
    public async Task A_save_that_may_have_been_stored_is_not_told_to_the_client_as_nothing_saved()
    {
        await using var app = await StartAsync();
        var uploader = app.Services.GetRequiredService<FileUploader>();
        var sure = new StorageUnavailableException("limited", "refused");
        var unsure = new StorageUnavailableException("limited", "timed out after the content was sent") { UnconfirmedName = "files/a.txt" };

        var nothing = uploader.ToProblem(app.Storage("limited"), sure);
        var maybe = uploader.ToProblem(app.Storage("limited"), unsure);

        Assert.Contains("nothing was saved", Detail(nothing), StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was saved", Detail(maybe), StringComparison.Ordinal);
        Assert.Contains("was not added", Detail(maybe), StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, maybe?.StatusCode);

        static string Detail(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? problem) => problem?.ProblemDetails.Detail ?? "";
    }

    [Theory]
    [InlineData(FileContentProblem.Empty, 400, "Empty file")]
    [InlineData(FileContentProblem.NotAnImage, 415, "Not an image")]
    [InlineData(FileContentProblem.ImageTooLarge, 422, "Image too large")]
    public async Task Each_content_problem_has_its_own_status_and_title(FileContentProblem problem, int status, string title)
    {
        await using var app = await StartAsync();
        var uploader = app.Services.GetRequiredService<FileUploader>();

        var result = uploader.ToProblem(app.Storage("limited"), new InvalidFileContentException(problem, "the reason for the client"));

        Assert.Equal((status, title), (result?.StatusCode, result?.ProblemDetails.Title));
        Assert.Equal("the reason for the client", result?.ProblemDetails.Detail);
    }

    [Fact]
    public void Allowed_types_match_exactly_or_by_wildcard_ignoring_case_and_parameters()
    {
        Assert.True(FileUploader.IsAllowed("image/PNG", ["image/png"]));
        Assert.True(FileUploader.IsAllowed("text/plain; charset=utf-8", ["text/*"]));
        Assert.True(FileUploader.IsAllowed("application/zip", ["*/*"]));
        Assert.False(FileUploader.IsAllowed("image/svg+xml", ["image/png"]));
        Assert.False(FileUploader.IsAllowed("imagery/png", ["image/*"]));
    }
}
