using System.Net;
using System.Net.Http.Json;
using System.Text;
using Coffer.TestSupport;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>A ticket as <c>POST /api/uploads</c> gives it (docs/direct-uploads.md).</summary>
public sealed record TicketDto(string Ticket, DateTimeOffset ExpiresAt, string Name, string Method, string? Url, Dictionary<string, string>? Fields,
    long? PartSize, int? PartCount, string? UploadsUrl);

/// <summary>A part URL as <c>POST /api/uploads/parts</c> gives it.</summary>
public sealed record PartUrlDto(int PartNumber, string Url, DateTimeOffset? ExpiresAt);

/// <summary>The answer of <c>POST /api/uploads/parts</c>.</summary>
public sealed record PartUrlsDto(List<PartUrlDto> Parts);

/// <summary>A part the store holds, as <c>POST /api/uploads/status</c> lists it.</summary>
public sealed record StoredPartDto(int PartNumber, long Size);

/// <summary>The answer of <c>POST /api/uploads/status</c>.</summary>
public sealed record UploadStatusDto(bool Complete, List<StoredPartDto> Parts);

/// <summary>
/// The sample's direct-upload API as a client speaks it: a ticket from <c>POST /api/uploads</c>, the bytes straight to the
/// store (the form, or the parts to the URLs <c>/api/uploads/parts</c> signs), <c>complete</c>, and the commit
/// <c>POST /api/files {"ticket"}</c>. The bytes go with <see cref="Store"/>, which has no credentials: the signature is the
/// whole permission.
/// </summary>
public sealed class DirectUploadApi(HttpClient store)
{
    /// <summary>Where Coffer's upload endpoints are mapped in the sample.</summary>
    public const string UploadsPath = "/api/uploads";

    /// <summary>A client without credentials, for the store's URLs.</summary>
    public HttpClient Store { get; } = store;

    /// <summary><c>POST {path}</c> with a raw body of type <c>application/json</c>, as a client that builds it by hand would.</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(ApiUser user, string path, string json) =>
        user.Http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary><c>POST /api/uploads</c> for a ticket.</summary>
    public static Task<HttpResponseMessage> StartAsync(ApiUser user, string fileName, long size, string? contentType = "application/octet-stream") =>
        user.Http.PostAsJsonAsync(new Uri(UploadsPath, UriKind.Relative), new { fileName, size, contentType });

    /// <summary>A ticket, failing unless the app answers 201.</summary>
    public static async Task<TicketDto> TicketAsync(ApiUser user, string fileName, long size, string? contentType = "application/octet-stream")
    {
        using var response = await StartAsync(user, fileName, size, contentType);
        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<TicketDto>())!;
    }

    /// <summary><c>POST /api/uploads/{action}</c> (<c>parts</c>, <c>status</c>, <c>complete</c>, <c>abort</c>) with the ticket, and the part numbers for <c>parts</c>.</summary>
    public static Task<HttpResponseMessage> CallAsync(ApiUser user, string action, string ticket, int[]? partNumbers = null) =>
        user.Http.PostAsJsonAsync(new Uri($"{UploadsPath}/{action}", UriKind.Relative),
            partNumbers is null ? new Dictionary<string, object> { ["ticket"] = ticket } : new Dictionary<string, object> { ["ticket"] = ticket, ["partNumbers"] = partNumbers });

    /// <summary><c>POST /api/files {"ticket"}</c>: the commit.</summary>
    public static Task<HttpResponseMessage> CommitAsync(ApiUser user, string ticket) =>
        user.Http.PostAsJsonAsync(new Uri("/api/files", UriKind.Relative), new { ticket });

    /// <summary>The part URLs of <paramref name="partNumbers"/>, failing unless the app answers 200.</summary>
    public static async Task<List<PartUrlDto>> PartUrlsAsync(ApiUser user, string ticket, params int[] partNumbers)
    {
        using var response = await CallAsync(user, "parts", ticket, partNumbers);
        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<PartUrlsDto>())!.Parts;
    }

    /// <summary>What the store holds of the upload, failing unless the app answers 200.</summary>
    public static async Task<UploadStatusDto> StatusAsync(ApiUser user, string ticket)
    {
        using var response = await CallAsync(user, "status", ticket);
        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<UploadStatusDto>())!;
    }

    /// <summary>The bytes of part <paramref name="number"/> of <paramref name="content"/> as the ticket plans them.</summary>
    public static byte[] Part(TicketDto ticket, byte[] content, int number)
    {
        long size = ticket.PartSize!.Value;
        long start = (number - 1) * size;
        return content[(int)start..(int)Math.Min(content.Length, start + size)];
    }

    /// <summary><c>PUT</c> of <paramref name="body"/> to a part URL.</summary>
    public Task<HttpResponseMessage> PutPartAsync(string url, byte[] body) =>
        Store.PutAsync(new Uri(url, UriKind.RelativeOrAbsolute), new ByteArrayContent(body));

    /// <summary>The form of a <c>form</c> ticket, posted to the store with <paramref name="content"/> as the file.</summary>
    public Task<HttpResponseMessage> PostFormAsync(TicketDto ticket, byte[] content, string? contentType = null) =>
        DirectUploadForm.PostAsync(Store, new Uri(ticket.Url!), ticket.Fields!, content, contentType);

    /// <summary>
    /// Sends <paramref name="content"/> the way the ticket says (the form, or every part listed in <paramref name="parts"/>,
    /// all of them by default, last first), failing unless the store takes each.
    /// </summary>
    public async Task SendAsync(ApiUser user, TicketDto ticket, byte[] content, params int[] parts)
    {
        if (ticket.Method == "form")
        {
            using var posted = await PostFormAsync(ticket, content);
            await EnsureStoredAsync(posted);
            return;
        }

        int[] numbers = parts.Length > 0 ? parts : [.. Enumerable.Range(1, ticket.PartCount!.Value).Reverse()];
        foreach (var part in await PartUrlsAsync(user, ticket.Ticket, numbers))
        {
            using var put = await PutPartAsync(part.Url, Part(ticket, content, part.PartNumber));
            await EnsureStoredAsync(put);
        }
    }

    /// <summary>Sends every byte, completes (204) and commits (201), and returns the file.</summary>
    public async Task<FileDto> UploadAsync(ApiUser user, string fileName, byte[] content, string contentType = "application/octet-stream")
    {
        var ticket = await TicketAsync(user, fileName, content.Length, contentType);
        await SendAsync(user, ticket, content);
        using (var completed = await CallAsync(user, "complete", ticket.Ticket))
        {
            await ApiUser.EnsureStatusAsync(completed, HttpStatusCode.NoContent);
        }

        using var committed = await CommitAsync(user, ticket.Ticket);
        await ApiUser.EnsureStatusAsync(committed, HttpStatusCode.Created);
        return (await committed.Content.ReadFromJsonAsync<FileDto>())!;
    }

    private static async Task EnsureStoredAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new Xunit.Sdk.XunitException(
                $"The store answered {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
