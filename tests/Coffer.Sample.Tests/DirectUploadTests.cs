using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

// One app per (database, store) pair, with the settings of DirectUploadTests.Settings.

public sealed class SqliteDiskDirectUploadApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), DirectUploadTests.Settings);

public sealed class PostgresDiskDirectUploadApp() : SampleApp(new PostgresSampleDatabase(), new DiskSampleStorage(), DirectUploadTests.Settings);

public sealed class PostgresS3DirectUploadApp() : SampleApp(new PostgresSampleDatabase(), new S3SampleStorage(), DirectUploadTests.Settings);

public sealed class SqliteDiskDirectUploadTests(SqliteDiskDirectUploadApp app, ITestOutputHelper output)
    : DirectUploadTests(app, output), IClassFixture<SqliteDiskDirectUploadApp>;

public sealed class PostgresDiskDirectUploadTests(PostgresDiskDirectUploadApp app, ITestOutputHelper output)
    : DirectUploadTests(app, output), IClassFixture<PostgresDiskDirectUploadApp>;

public sealed class PostgresS3DirectUploadTests(PostgresS3DirectUploadApp app, ITestOutputHelper output)
    : DirectUploadTests(app, output), IClassFixture<PostgresS3DirectUploadApp>
{
    [Fact]
    public async Task A_form_sent_with_another_type_than_its_policy_signs_is_refused_by_the_store_and_nothing_is_left()
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        var ticket = await DirectUploadApi.TicketAsync(owner, "typed.txt", 100, "text/plain");
        var fields = ticket.Fields!.ToDictionary(f => f.Key, f => f.Key == "Content-Type" ? "text/html" : f.Value, StringComparer.Ordinal);

        using var posted = await Api.PostFormAsync(ticket with { Fields = fields }, TestFiles.RandomBytes(100), "text/html");
        using var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode); // the policy's ["eq", "$Content-Type", "text/plain"]
        await AssertProblemAsync(committed, HttpStatusCode.Conflict, "");
        await AssertNothingLeftAsync(before, owner, "typed.txt");
    }
}

/// <summary>
/// The sample's JSON API for direct uploads (docs/direct-uploads.md) over real HTTP: a ticket from <c>POST /api/uploads</c>,
/// the bytes straight to the store (S3's POST form or parts on RGW; <c>MapCoffer</c>'s part endpoint on disk), complete,
/// and the commit <c>POST /api/files {"ticket"}</c>. Every refusal is a 4xx problem with a detail, and leaves nothing in
/// the store (no object, no part, no unfinished multipart upload) and no row.
/// </summary>
public abstract class DirectUploadTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    /// <summary>Room for a file in two parts (8 MiB and 4 MiB), on disk and on S3 alike.</summary>
    public const int MaxFileSize = 16 * MiB;

    /// <summary>The shortest ticket the options allow, so that an expired ticket costs a minute, not an hour.</summary>
    public static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The sample's settings for these tests: the private storage takes 16 MiB of two types only, tickets live a minute and
    /// are swept as soon as they expire, and the ledger sweeper runs every second.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(SampleAppTests.Settings)
    {
        ["Coffer__Storages__private__MaxFileSize"] = MaxFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Coffer__Storages__private__AllowedContentTypes__0"] = "application/octet-stream",
        ["Coffer__Storages__private__AllowedContentTypes__1"] = "text/plain",
        ["DirectUploads__TicketLifetime"] = TicketLifetime.ToString(),
        ["DirectUploads__SweepGrace"] = "00:00:00",
        ["Sample__LedgerSweepInterval"] = "00:00:01",
    };

    private readonly SampleApp _app;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;
    private readonly HttpClient _anonymous;
    private readonly DirectUploadApi _api;

    /// <summary>The protocol's client; its store client has no credentials.</summary>
    protected DirectUploadApi Api => _api;

    protected DirectUploadTests(SampleApp app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        _logMark = app.LogMark;
        _anonymous = app.CreateClient();
        _api = new DirectUploadApi(_anonymous);
    }

    public void Dispose()
    {
        _output.WriteLine($"App at {_app.BaseAddress}, content root {_app.ContentRoot}; its log during this test:");
        _output.WriteLine(_app.LogSince(_logMark));
        _anonymous.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task<ApiUser> OwnerAsync() => _app.UserAsync("owner");

    private Task<ApiUser> StrangerAsync() => _app.UserAsync("stranger");

    /// <summary>Everything the store holds for the private storage: objects, and unfinished uploads (parts on disk, multipart uploads on S3).</summary>
    protected async Task<List<string>> TraceAsync() =>
    [
        .. await _app.Storage.ListAsync("private", CancellationToken.None),
        .. (await _app.Storage.ListUnfinishedUploadsAsync("private", CancellationToken.None)).Select(key => "unfinished:" + key),
    ];

    /// <summary>Nothing more in the store than <paramref name="before"/> (other tests' leftovers may be swept meanwhile), and no row named <paramref name="fileName"/>.</summary>
    protected async Task AssertNothingLeftAsync(List<string> before, ApiUser owner, string fileName)
    {
        Assert.Empty((await TraceAsync()).Except(before));
        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == fileName);
    }

    protected static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        await ApiUser.EnsureStatusAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string? detail = problem.RootElement.TryGetProperty("detail", out var value) ? value.GetString() : null;
        Assert.NotNull(detail);
        Assert.Contains(detailContains, detail, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<byte[]> DownloadAsync(ApiUser owner, int id)
    {
        var file = await owner.Http.GetFromJsonAsync<FileDto>(new Uri($"/api/files/{id}", UriKind.Relative));
        using var response = await _anonymous.GetAsync(new Uri(file!.Url, UriKind.RelativeOrAbsolute));
        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<string[]> KeysAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    private static async Task CompleteAsync(ApiUser owner, TicketDto ticket)
    {
        using var completed = await DirectUploadApi.CallAsync(owner, "complete", ticket.Ticket);
        await ApiUser.EnsureStatusAsync(completed, HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_small_file_goes_up_by_the_stores_method_and_commits_into_a_file_shown_as_a_form_upload_is()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(100_000);
        var before = await TraceAsync();

        var ticket = await DirectUploadApi.TicketAsync(owner, "small.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);
        await CompleteAsync(owner, ticket);
        using var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        // S3 takes a small file as one POST form; the local disk always in parts (here one).
        Assert.Equal(_app.Storage.IsS3 ? "form" : "parts", ticket.Method);
        Assert.Equal(_app.Storage.IsS3 ? null : 1, ticket.PartCount);
        Assert.InRange(ticket.ExpiresAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow + TicketLifetime);
        await ApiUser.EnsureStatusAsync(committed, HttpStatusCode.Created);
        Assert.Equal([ticket.Name], (await TraceAsync()).Except(before)); // the object, without parts
        using var formUpload = await owner.UploadAsync("/api/files", "form.bin", TestFiles.RandomBytes(10));
        await ApiUser.EnsureStatusAsync(formUpload, HttpStatusCode.Created);
        Assert.Equal(await KeysAsync(formUpload), await KeysAsync(committed));
        var file = (await committed.Content.ReadFromJsonAsync<FileDto>())!;
        Assert.Equal($"/api/files/{file.Id}", committed.Headers.Location?.OriginalString);
        Assert.Equal(("small.bin", content.Length), (file.Name, file.Size));
        Assert.Equal(content, await DownloadAsync(owner, file.Id));
    }

    [Fact]
    public async Task A_12_MiB_file_goes_up_in_two_parts_in_any_order_and_commits_into_a_file_with_its_bytes()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(12 * MiB);
        var before = await TraceAsync();
        var ticket = await DirectUploadApi.TicketAsync(owner, "large.bin", content.Length);

        await _api.SendAsync(owner, ticket, content, 2, 1);
        var status = await DirectUploadApi.StatusAsync(owner, ticket.Ticket);
        await CompleteAsync(owner, ticket);
        using var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        Assert.Equal(("parts", 8 * MiB, 2), (ticket.Method, ticket.PartSize, ticket.PartCount));
        Assert.Equal(DirectUploadApi.UploadsPath, ticket.UploadsUrl);
        Assert.Equal([new StoredPartDto(1, 8 * MiB), new StoredPartDto(2, 4 * MiB)], status.Parts.OrderBy(p => p.PartNumber));
        Assert.False(status.Complete);
        await ApiUser.EnsureStatusAsync(committed, HttpStatusCode.Created);
        var file = (await committed.Content.ReadFromJsonAsync<FileDto>())!;
        Assert.Equal(content.Length, file.Size);
        Assert.Equal(content, await DownloadAsync(owner, file.Id));
        Assert.Equal([ticket.Name], (await TraceAsync()).Except(before)); // the parts are gone
    }

    [Fact]
    public async Task More_bytes_than_the_ticket_declares_are_refused_by_the_store_and_nothing_is_left()
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        var ticket = await DirectUploadApi.TicketAsync(owner, "declared-short.bin", 1000);
        byte[] content = TestFiles.RandomBytes(1001);

        if (ticket.Method == "form")
        {
            // The POST policy's content-length-range: S3's own refusal (XML, EntityTooLarge).
            using var posted = await _api.PostFormAsync(ticket, content);
            Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
            Assert.Contains("EntityTooLarge", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        else
        {
            var part = Assert.Single(await DirectUploadApi.PartUrlsAsync(owner, ticket.Ticket, 1));
            using var put = await _api.PutPartAsync(part.Url, content);
            await AssertProblemAsync(put, HttpStatusCode.RequestEntityTooLarge, "longer than the 1,000 bytes");
        }

        using var completed = await DirectUploadApi.CallAsync(owner, "complete", ticket.Ticket);
        using var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);
        using var aborted = await DirectUploadApi.CallAsync(owner, "abort", ticket.Ticket);

        await AssertProblemAsync(completed, HttpStatusCode.Conflict, "");
        await AssertProblemAsync(committed, HttpStatusCode.Conflict, "");
        Assert.Equal(HttpStatusCode.NoContent, aborted.StatusCode);
        await AssertNothingLeftAsync(before, owner, "declared-short.bin");
    }

    [Fact]
    public async Task A_part_longer_than_its_url_was_signed_for_is_refused_by_the_store_and_an_abort_leaves_nothing()
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        byte[] content = TestFiles.RandomBytes(12 * MiB);
        var ticket = await DirectUploadApi.TicketAsync(owner, "padded.bin", content.Length);
        await _api.SendAsync(owner, ticket, content, 1);
        var last = Assert.Single(await DirectUploadApi.PartUrlsAsync(owner, ticket.Ticket, 2));

        using var put = await _api.PutPartAsync(last.Url, [.. DirectUploadApi.Part(ticket, content, 2), 0]);
        var status = await DirectUploadApi.StatusAsync(owner, ticket.Ticket);
        using var aborted = await DirectUploadApi.CallAsync(owner, "abort", ticket.Ticket);

        if (_app.Storage.IsS3)
        {
            Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode); // Content-Length is a signed header of the part URL
        }
        else
        {
            await AssertProblemAsync(put, HttpStatusCode.RequestEntityTooLarge, "longer than the 4,194,304 bytes");
        }

        Assert.Equal([1], status.Parts.Select(p => p.PartNumber));
        Assert.Equal(HttpStatusCode.NoContent, aborted.StatusCode);
        await AssertNothingLeftAsync(before, owner, "padded.bin");
    }

    [Theory]
    [InlineData("page.html", "text/html")]
    [InlineData("disguised.bin", "text/html")]
    public async Task A_type_the_storage_does_not_allow_is_415_at_ticket_time_and_nothing_is_stored(string fileName, string contentType)
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();

        using var response = await DirectUploadApi.StartAsync(owner, fileName, 1000, contentType);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Accepted types: application/octet-stream, text/plain");
        await AssertNothingLeftAsync(before, owner, fileName);
    }

    [Theory]
    [InlineData(MaxFileSize + 1, HttpStatusCode.RequestEntityTooLarge, "16")]
    [InlineData(0, HttpStatusCode.BadRequest, "empty")]
    [InlineData(-1, HttpStatusCode.BadRequest, "0 or more")]
    public async Task A_size_the_storage_does_not_take_is_refused_at_ticket_time_and_nothing_is_stored(long size, HttpStatusCode status, string detail)
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();

        using var response = await DirectUploadApi.StartAsync(owner, "sized.bin", size);

        await AssertProblemAsync(response, status, detail);
        await AssertNothingLeftAsync(before, owner, "sized.bin");
    }

    [Fact]
    public async Task An_expired_ticket_is_refused_by_every_endpoint_and_the_sweep_leaves_nothing_of_its_upload()
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        byte[] content = TestFiles.RandomBytes(1000);
        var ticket = await DirectUploadApi.TicketAsync(owner, "late.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);
        Assert.NotEmpty((await TraceAsync()).Except(before)); // the bytes are in the store, uncommitted

        await Task.Delay(ticket.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));

        foreach (string action in new[] { "parts", "status", "complete", "abort" })
        {
            using var response = await DirectUploadApi.CallAsync(owner, action, ticket.Ticket, action == "parts" ? [1] : null);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "expired");
        }

        using (var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket))
        {
            await AssertProblemAsync(committed, HttpStatusCode.BadRequest, "expired");
        }

        // The ledger sweeper (every second here, no grace) aborts what the expired ticket left.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await TraceAsync()).Except(before).Any() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        await AssertNothingLeftAsync(before, owner, "late.bin");
    }

    [Fact]
    public async Task A_tampered_ticket_is_400_on_every_endpoint_and_changes_nothing()
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        byte[] content = TestFiles.RandomBytes(1000);
        var ticket = await DirectUploadApi.TicketAsync(owner, "tampered.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);
        char[] chars = ticket.Ticket.ToCharArray();
        int middle = chars.Length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        string tampered = new(chars);

        foreach (string action in new[] { "parts", "status", "complete", "abort" })
        {
            using var response = await DirectUploadApi.CallAsync(owner, action, tampered, action == "parts" ? [1] : null);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "not valid");
        }

        using (var committed = await DirectUploadApi.CommitAsync(owner, tampered))
        {
            await AssertProblemAsync(committed, HttpStatusCode.BadRequest, "not valid");
        }

        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == "tampered.bin");
        Assert.NotEmpty((await TraceAsync()).Except(before)); // the upload is as it was
        using var aborted = await DirectUploadApi.CallAsync(owner, "abort", ticket.Ticket);
        Assert.Equal(HttpStatusCode.NoContent, aborted.StatusCode);
        await AssertNothingLeftAsync(before, owner, "tampered.bin");
    }

    [Fact]
    public async Task Another_users_ticket_is_403_on_every_endpoint_and_leaves_the_upload_to_its_owner()
    {
        var owner = await OwnerAsync();
        var stranger = await StrangerAsync();
        byte[] content = TestFiles.RandomBytes(1000);
        var ticket = await DirectUploadApi.TicketAsync(owner, "not-yours.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);

        foreach (string action in new[] { "parts", "status", "complete", "abort" })
        {
            using var response = await DirectUploadApi.CallAsync(stranger, action, ticket.Ticket, action == "parts" ? [1] : null);
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, "someone else");
        }

        using (var committed = await DirectUploadApi.CommitAsync(stranger, ticket.Ticket))
        {
            await AssertProblemAsync(committed, HttpStatusCode.Forbidden, "someone else");
        }

        Assert.DoesNotContain(await stranger.ListFilesAsync(), f => f.Name == "not-yours.bin");
        await CompleteAsync(owner, ticket);
        using var mine = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);
        await ApiUser.EnsureStatusAsync(mine, HttpStatusCode.Created);
        Assert.Equal(content, await DownloadAsync(owner, (await mine.Content.ReadFromJsonAsync<FileDto>())!.Id));
    }

    [Fact]
    public async Task A_ticket_commits_once_and_a_second_commit_is_409()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(1000);
        var ticket = await DirectUploadApi.TicketAsync(owner, "once.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);
        await CompleteAsync(owner, ticket);
        using var first = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        using var second = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        await ApiUser.EnsureStatusAsync(first, HttpStatusCode.Created);
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "once");
        Assert.Single(await owner.ListFilesAsync(), f => f.Name == "once.bin");
    }

    [Fact]
    public async Task A_commit_before_the_upload_is_complete_is_409_and_succeeds_once_it_is()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(12 * MiB);
        var ticket = await DirectUploadApi.TicketAsync(owner, "early.bin", content.Length);
        await _api.SendAsync(owner, ticket, content, 1);

        using (var early = await DirectUploadApi.CommitAsync(owner, ticket.Ticket))
        {
            await AssertProblemAsync(early, HttpStatusCode.Conflict, "");
        }

        using (var incomplete = await DirectUploadApi.CallAsync(owner, "complete", ticket.Ticket))
        {
            await AssertProblemAsync(incomplete, HttpStatusCode.Conflict, "missing");
        }

        Assert.DoesNotContain(await owner.ListFilesAsync(), f => f.Name == "early.bin");
        await _api.SendAsync(owner, ticket, content, 2);
        await CompleteAsync(owner, ticket);
        using var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket);

        await ApiUser.EnsureStatusAsync(committed, HttpStatusCode.Created);
        Assert.Equal(content, await DownloadAsync(owner, (await committed.Content.ReadFromJsonAsync<FileDto>())!.Id));
    }

    [Fact]
    public async Task An_abort_after_the_commit_is_409_and_leaves_the_committed_file()
    {
        var owner = await OwnerAsync();
        byte[] content = TestFiles.RandomBytes(1000);
        var file = await _api.UploadAsync(owner, "kept.bin", content);

        var ticket = await DirectUploadApi.TicketAsync(owner, "kept-too.bin", content.Length);
        await _api.SendAsync(owner, ticket, content);
        await CompleteAsync(owner, ticket);
        using (var committed = await DirectUploadApi.CommitAsync(owner, ticket.Ticket))
        {
            await ApiUser.EnsureStatusAsync(committed, HttpStatusCode.Created);
        }

        using var aborted = await DirectUploadApi.CallAsync(owner, "abort", ticket.Ticket);

        await AssertProblemAsync(aborted, HttpStatusCode.Conflict, "delete the file instead");
        var kept = Assert.Single(await owner.ListFilesAsync(), f => f.Name == "kept-too.bin");
        Assert.Equal(content, await DownloadAsync(owner, kept.Id));
        Assert.Equal(content, await DownloadAsync(owner, file.Id));
    }

    public static TheoryData<string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string>();
        string[] everywhere = ["", "{", "[]", "null", "42", "\"ticket\"", "{\"ticket\": 5}", "{\"ticket\": null}", "{\"ticket\": \"\"}", "{\"ticket\": [\"{ticket}\"]}"];
        foreach (string path in new[] { "/api/uploads/parts", "/api/uploads/status", "/api/uploads/complete", "/api/uploads/abort", "/api/files" })
        {
            foreach (string body in everywhere)
            {
                data.Add(path, body);
            }
        }

        foreach (string body in new[] { "{\"ticket\": \"{ticket}\"}", "{\"ticket\": \"{ticket}\", \"partNumbers\": \"all\"}", "{\"ticket\": \"{ticket}\", \"partNumbers\": [0]}",
            "{\"ticket\": \"{ticket}\", \"partNumbers\": [3]}", "{\"ticket\": \"{ticket}\", \"partNumbers\": [\"1\"]}", "{\"ticket\": \"{ticket}\", \"partNumbers\": [1.5]}",
            "{\"ticket\": \"{ticket}\", \"partNumbers\": [2147483648]}" })
        {
            data.Add("/api/uploads/parts", body);
        }

        foreach (string body in new[] { "", "{", "[]", "null", "{}", "{\"fileName\": \"a.bin\"}", "{\"size\": 10}", "{\"fileName\": \"a.bin\", \"size\": \"big\"}",
            "{\"fileName\": \"a.bin\", \"size\": 1.5}", "{\"fileName\": 7, \"size\": 10}", "{\"fileName\": \"\", \"size\": 10}", "{\"fileName\": \"a.bin\", \"size\": 99999999999999999999}" })
        {
            data.Add("/api/uploads", body);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_json_body_is_400_with_a_detail_on_every_endpoint_and_stores_nothing(string path, string body)
    {
        var owner = await OwnerAsync();
        var before = await TraceAsync();
        TicketDto? ticket = body.Contains("{ticket}", StringComparison.Ordinal) ? await DirectUploadApi.TicketAsync(owner, "malformed.bin", 12 * MiB) : null;

        using var response = await DirectUploadApi.PostJsonAsync(owner, path, ticket is null ? body : body.Replace("{ticket}", ticket.Ticket, StringComparison.Ordinal));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "");
        if (ticket is not null)
        {
            using var aborted = await DirectUploadApi.CallAsync(owner, "abort", ticket.Ticket);
            Assert.Equal(HttpStatusCode.NoContent, aborted.StatusCode);
        }

        await AssertNothingLeftAsync(before, owner, "malformed.bin");
    }
}
