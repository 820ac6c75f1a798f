using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>A private file as <c>/api/files</c> shows it.</summary>
public sealed record FileDto(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url, DateTimeOffset? ExpiresAt);

/// <summary>A public media file as <c>/api/media</c> shows it.</summary>
public sealed record MediaDto(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url);

/// <summary>A share link.</summary>
public sealed record LinkDto(string Url, DateTimeOffset? ExpiresAt);

/// <summary>A signed-up user calling the JSON API with a bearer token.</summary>
public sealed class ApiUser(string email, HttpClient http) : IDisposable
{
    /// <summary>Every test user's password (Identity's rules as the sample sets them).</summary>
    public const string Password = "Coffer-test-1";

    public string Email { get; } = email;

    /// <summary>Sends the bearer token; does not follow redirects.</summary>
    public HttpClient Http { get; } = http;

    /// <summary><c>POST {path}</c> with <paramref name="content"/> in the multipart field <c>file</c>.</summary>
    public Task<HttpResponseMessage> UploadAsync(string path, string fileName, byte[] content, string contentType = "application/octet-stream") =>
        Http.PostAsync(path, Multipart(fileName, content, contentType));

    /// <summary>Uploads a private file and returns it, failing unless the app answers 201.</summary>
    public async Task<FileDto> UploadFileAsync(string fileName, byte[] content, string contentType = "application/octet-stream")
    {
        using var response = await UploadAsync("/api/files", fileName, content, contentType);
        await EnsureStatusAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<FileDto>())!;
    }

    /// <summary>Uploads a public media file and returns it, failing unless the app answers 201.</summary>
    public async Task<MediaDto> UploadMediaAsync(string fileName, byte[] content, string contentType)
    {
        using var response = await UploadAsync("/api/media", fileName, content, contentType);
        await EnsureStatusAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<MediaDto>())!;
    }

    /// <summary>The caller's files (<c>GET /api/files</c>).</summary>
    public async Task<List<FileDto>> ListFilesAsync()
    {
        using var response = await Http.GetAsync("/api/files");
        await EnsureStatusAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<List<FileDto>>())!;
    }

    /// <summary><c>POST /api/files/{id}/share</c> with the lifetime as a form field, as the page sends it.</summary>
    public Task<HttpResponseMessage> ShareAsync(int id, int expiresInSeconds) =>
        Http.PostAsync($"/api/files/{id}/share", new FormUrlEncodedContent([new("expiresInSeconds", expiresInSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))]));

    public static MultipartFormDataContent Multipart(string fileName, byte[] content, string contentType)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new MultipartFormDataContent { { file, "file", fileName } };
    }

    /// <summary>Fails with the response body (a problem's detail says why) when the status is not <paramref name="expected"/>.</summary>
    public static async Task EnsureStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            string body = await response.Content.ReadAsStringAsync();
            throw new Xunit.Sdk.XunitException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.StatusCode}, expected {(int)expected} {expected}. Body: {body}");
        }
    }

    public void Dispose() => Http.Dispose();
}
