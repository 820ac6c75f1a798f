using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>The embedded default as deployed (Production).</summary>
public sealed class ProductionApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings);

/// <summary>The embedded default as the README runs it (Development), where minimal APIs throw on bad requests.</summary>
public sealed class DevelopmentApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(),
    new Dictionary<string, string>(SampleAppTests.Settings) { ["ASPNETCORE_ENVIRONMENT"] = "Development" });

public sealed class ProductionMalformedRequestTests(ProductionApp app, ITestOutputHelper output)
    : MalformedRequestTests(app, output), IClassFixture<ProductionApp>;

public sealed class DevelopmentMalformedRequestTests(DevelopmentApp app, ITestOutputHelper output)
    : MalformedRequestTests(app, output), IClassFixture<DevelopmentApp>;

/// <summary>
/// What a client gets wrong is the client's problem: a 4xx problem with a detail that says what is wrong, never a 500,
/// in every environment.
/// </summary>
public abstract class MalformedRequestTests : IDisposable
{
    private const string Boundary = "b0undary";

    private readonly SampleApp _app;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;

    protected MalformedRequestTests(SampleApp app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        _logMark = app.LogMark;
    }

    public void Dispose()
    {
        _output.WriteLine(_app.LogSince(_logMark));
        GC.SuppressFinalize(this);
    }

    private Task<ApiUser> OwnerAsync() => _app.UserAsync("owner");

    private static ByteArrayContent Body(string body, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    private static string Part(string disposition, string content, string extraHeaders = "") =>
        $"--{Boundary}\r\nContent-Disposition: {disposition}\r\n{extraHeaders}Content-Type: text/plain\r\n\r\n{content}\r\n";

    private static string Multipart(params string[] parts) => string.Concat(parts) + $"--{Boundary}--\r\n";

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 }, $"The problem has no detail: {body}");
        return problem;
    }

    private async Task AssertNothingStoredAsync(IReadOnlyList<string> before) =>
        Assert.Equal(before, await _app.Storage.ListAsync("private", CancellationToken.None));

    public static TheoryData<string, string?, string, HttpStatusCode> MalformedUploads => new()
    {
        { "multipart without a boundary", "multipart/form-data", Multipart(Part("form-data; name=\"file\"; filename=\"a.txt\"", "hello")), HttpStatusCode.BadRequest },
        { "an empty multipart body", $"multipart/form-data; boundary={Boundary}", "", HttpStatusCode.BadRequest },
        { "CR/LF in a part's file name", $"multipart/form-data; boundary={Boundary}", Multipart(Part("form-data; name=\"file\"; filename=\"a\r\nb.txt\"", "hello")), HttpStatusCode.BadRequest },
        {
            "more than 1,024 parts", $"multipart/form-data; boundary={Boundary}",
            Multipart([.. Enumerable.Range(0, 1025).Select(i => Part($"form-data; name=\"f{i}\"", "v")), Part("form-data; name=\"file\"; filename=\"a.txt\"", "hello")]),
            HttpStatusCode.BadRequest
        },
        {
            "a 20 KB part header", $"multipart/form-data; boundary={Boundary}",
            Multipart(Part("form-data; name=\"file\"; filename=\"a.txt\"", "hello", $"X-Padding: {new string('x', 20 * 1024)}\r\n")), HttpStatusCode.BadRequest
        },
    };

    [Theory]
    [MemberData(nameof(MalformedUploads))]
    public async Task A_malformed_upload_is_a_4xx_problem_and_stores_nothing(string what, string? contentType, string body, HttpStatusCode status)
    {
        var owner = await OwnerAsync();
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);
        _output.WriteLine($"Upload with {what}");

        using var response = await owner.Http.PostAsync(new Uri("/api/files", UriKind.Relative), Body(body, contentType));

        await AssertProblemAsync(response, status);
        await AssertNothingStoredAsync(before);
    }

    [Fact]
    public async Task An_upload_without_a_body_is_a_400_problem()
    {
        var owner = await OwnerAsync();

        using var response = await owner.Http.PostAsync(new Uri("/api/files", UriKind.Relative), null);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_upload_that_is_not_a_form_is_a_415_problem()
    {
        var owner = await OwnerAsync();

        using var response = await owner.Http.PostAsync(new Uri("/api/files", UriKind.Relative), Body("hello", "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"ticket\": \"\"}")]
    [InlineData("{\"ticket\": 42}")]
    [InlineData("[")]
    public async Task A_commit_without_a_ticket_is_a_400_problem_that_asks_for_one(string json)
    {
        var owner = await OwnerAsync();

        using var response = await owner.Http.PostAsync(new Uri("/api/files", UriKind.Relative), Body(json, "application/json"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("ticket", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_whose_content_length_is_short_of_its_body_is_a_400_problem()
    {
        var owner = await OwnerAsync();
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);
        string body = Multipart(Part("form-data; name=\"file\"; filename=\"a.txt\"", "hello, this is longer than declared"));

        // HttpClient refuses to send more than Content-Length says, so this goes over a socket of its own. The server
        // reads the rest as a next request (and refuses it); closing with bytes unread would reset the connection.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_app.BaseAddress.Host, _app.BaseAddress.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        string request = $"POST /api/files HTTP/1.1\r\nHost: {_app.BaseAddress.Authority}\r\nAuthorization: {owner.Http.DefaultRequestHeaders.Authorization}\r\n"
            + $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: 40\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        string answer = await ReadFirstResponseAsync(stream);

        Assert.True(answer.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), answer);
        Assert.True(answer.Contains("Content-Type: application/problem+json", StringComparison.OrdinalIgnoreCase), answer);
        Assert.True(answer.Contains("\"detail\":", StringComparison.Ordinal), answer);
        await AssertNothingStoredAsync(before);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    [InlineData("-99999999999")]
    public async Task A_share_lifetime_that_is_not_a_whole_number_of_seconds_is_a_400_problem(string expiresInSeconds)
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("shared.txt", TestFiles.Text("share"));

        using var response = await owner.Http.PostAsync(new Uri($"/api/files/{file.Id}/share", UriKind.Relative),
            new FormUrlEncodedContent([new("expiresInSeconds", expiresInSeconds)]));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("expiresInSeconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_share_request_without_a_body_gets_a_link_that_lives_an_hour()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("shared.txt", TestFiles.Text("share"));

        using var response = await owner.Http.PostAsync(new Uri($"/api/files/{file.Id}/share", UriKind.Relative), null);

        await ApiUser.EnsureStatusAsync(response, HttpStatusCode.OK);
        var link = (await response.Content.ReadFromJsonAsync<LinkDto>())!;
        Assert.InRange(link.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
    }

    [Fact]
    public async Task A_share_request_with_a_body_that_is_not_a_form_is_a_415_problem()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("shared.txt", TestFiles.Text("share"));

        using var response = await owner.Http.PostAsync(new Uri($"/api/files/{file.Id}/share", UriKind.Relative), Body("{\"expiresInSeconds\":60}", "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_upload_far_over_the_size_limit_is_a_413_problem_naming_the_limit()
    {
        var owner = await OwnerAsync();
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);

        // 40 MB: over Kestrel's default body limit as well as the storage's 1 MiB.
        using var response = await owner.UploadAsync("/api/files", "huge.bin", new byte[40_000_000]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("larger than 1 MB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(before);
    }

    [Fact]
    public async Task An_upload_just_over_the_size_limit_is_a_413_problem_naming_the_limit()
    {
        var owner = await OwnerAsync();

        using var response = await owner.UploadAsync("/api/files", "too-big.bin", new byte[SampleAppTests.MaxPrivateFileSize + 1]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("larger than 1 MB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_whose_body_is_not_json_is_a_400_problem()
    {
        using var anonymous = _app.CreateClient();

        using var response = await anonymous.PostAsync(new Uri("/login", UriKind.Relative), Body("{\"email\": ", "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    /// <summary>The status line, headers and as much of the body as the server sends before it closes.</summary>
    private static async Task<string> ReadFirstResponseAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[16 * 1024];
        var answer = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (answer.ToString().Contains("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    break; // the end of the first chunked response; what follows answers the rest of the bytes
                }
            }
        }
        catch (IOException) when (answer.Length > 0)
        {
            // the server closes a connection whose request it could not read to the end
        }

        return answer.ToString();
    }
}
