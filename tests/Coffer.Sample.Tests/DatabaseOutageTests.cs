using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>The scale-out database (PostgreSQL, on a cluster of its own that the tests stop) with files on the local disk, in Production.</summary>
public sealed class DatabaseOutageApp : SampleApp
{
    public DatabaseOutageApp()
        : this(new OwnPostgresSampleDatabase())
    {
    }

    private DatabaseOutageApp(OwnPostgresSampleDatabase database)
        : base(database, new DiskSampleStorage(), SampleAppTests.Settings) => Database = database;

    public OwnPostgresSampleDatabase Database { get; }
}

/// <summary>
/// The database stops under the running app (<c>pg_ctl stop -m fast</c>, as an operator or a failover does): every
/// request that needs it is a 503 that says the database is unavailable (a problem for the API, a page for the pages),
/// with a Retry-After, nothing is stored, and once the database is back the same process serves again.
/// </summary>
public sealed class DatabaseOutageTests(DatabaseOutageApp app, ITestOutputHelper output) : IClassFixture<DatabaseOutageApp>, IDisposable
{
    private const string Title = "The database is unavailable";

    /// <summary>How long an answer during the outage may take: a refused connection fails at once, not after a timeout.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(3);

    private readonly int _logMark = app.LogMark;

    public void Dispose()
    {
        output.WriteLine(app.LogSince(_logMark));
        GC.SuppressFinalize(this);
    }

    private Task<ApiUser> OwnerAsync() => app.UserAsync("owner");

    /// <summary>Runs <paramref name="during"/> with the database stopped, and starts it again whatever happens.</summary>
    private async Task DuringOutageAsync(Func<Task> during)
    {
        await app.Database.Cluster.StopAsync();
        try
        {
            await during();
        }
        finally
        {
            await app.Database.Cluster.StartAgainAsync();
        }
    }

    private static async Task<JsonElement> AssertUnavailableProblemAsync(HttpResponseMessage response, string detail)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter is not null, $"A 503 without Retry-After: {response.Headers}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(Title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
        return problem;
    }

    private static async Task AssertUnavailablePageAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{response.RequestMessage?.RequestUri}: expected 503, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter is not null, $"A 503 without Retry-After: {response.Headers}");
        Assert.Contains(Title, body, StringComparison.Ordinal);
        Assert.Contains("Try again in a moment", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_while_the_database_is_down_is_a_503_problem_that_says_nothing_was_saved_and_stores_nothing()
    {
        var owner = await OwnerAsync();
        var before = await app.Storage.ListAsync("private", CancellationToken.None);
        int mark = app.LogMark;

        await DuringOutageAsync(async () =>
        {
            using var response = await owner.UploadAsync("/api/files", "during-outage.txt", TestFiles.Text("outage"));

            await AssertUnavailableProblemAsync(response, "Nothing was saved. Try again in a moment.");
            Assert.Equal(before, await app.Storage.ListAsync("private", CancellationToken.None));
        });

        // The log says what failed, with the exception (and so its stack trace), where the client is told only "try again".
        string log = app.LogSince(mark);
        Assert.Contains("database is unavailable", log, StringComparison.Ordinal);
        Assert.Contains("Npgsql.NpgsqlException", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_and_deleting_while_the_database_is_down_are_503_problems_that_say_so()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("kept.txt", TestFiles.Text("kept"));

        await DuringOutageAsync(async () =>
        {
            using (var list = await owner.Http.GetAsync(new Uri("/api/files", UriKind.Relative)))
            {
                await AssertUnavailableProblemAsync(list, "Your files could not be read. Try again in a moment.");
            }

            using var delete = await owner.Http.DeleteAsync(new Uri($"/api/files/{file.Id}", UriKind.Relative));
            await AssertUnavailableProblemAsync(delete, "Nothing was deleted. Try again in a moment.");
        });

        Assert.Contains(await owner.ListFilesAsync(), f => f.Id == file.Id);
    }

    [Fact]
    public async Task The_files_page_and_the_download_link_while_the_database_is_down_are_503_pages_that_say_so_and_work_again_once_it_is_back()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("page.txt", TestFiles.Text("page"));
        using var browser = await app.SignInWithCookieAsync(owner);

        await DuringOutageAsync(async () =>
        {
            using (var page = await browser.GetAsync(new Uri("/Files", UriKind.Relative)))
            {
                await AssertUnavailablePageAsync(page);
            }

            using var download = await browser.GetAsync(new Uri($"/files/{file.Id}/download", UriKind.Relative));
            await AssertUnavailablePageAsync(download);
        });

        // The same process, without a restart.
        using (var page = await browser.GetAsync(new Uri("/Files", UriKind.Relative)))
        {
            await ApiUser.EnsureStatusAsync(page, HttpStatusCode.OK);
            Assert.Contains("page.txt", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var again = await browser.GetAsync(new Uri($"/files/{file.Id}/download", UriKind.Relative));
        await ApiUser.EnsureStatusAsync(again, HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task After_a_database_restart_at_most_the_first_request_is_a_503_to_retry_and_every_later_one_is_served()
    {
        var owner = await OwnerAsync();
        // Several requests at once, so that the pool holds several idle connections, all of which the restart ends.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => owner.ListFilesAsync()));

        await DuringOutageAsync(() => Task.CompletedTask);

        var answers = new List<(HttpStatusCode Status, bool RetryAfter)>();
        for (int i = 0; i < 6; i++)
        {
            using var response = await owner.Http.GetAsync(new Uri("/api/files", UriKind.Relative));
            answers.Add((response.StatusCode, response.Headers.RetryAfter is not null));
        }

        // The first command on a connection the restart ended fails (57P01); Npgsql then empties its pool.
        if (answers[0].Status != HttpStatusCode.OK)
        {
            Assert.Equal((HttpStatusCode.ServiceUnavailable, true), answers[0]);
        }

        Assert.All(answers.Skip(1), answer => Assert.Equal(HttpStatusCode.OK, answer.Status));
    }

    [Fact]
    public async Task The_health_check_while_the_database_is_down_is_503_naming_the_database_without_its_connection_string()
    {
        using var anonymous = app.CreateClient();

        await DuringOutageAsync(async () =>
        {
            using var response = await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative));

            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)response.StatusCode}: {body}");
            var health = JsonDocument.Parse(body).RootElement;
            Assert.Equal("Unhealthy", health.GetProperty("status").GetString());
            var checks = health.GetProperty("checks");
            Assert.StartsWith("Unhealthy: ", checks.GetProperty("database").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Healthy", checks.GetProperty("storage:private").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Healthy", checks.GetProperty("storage:public").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Username", body, StringComparison.OrdinalIgnoreCase);
        });

        using var healthy = await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task Upload_list_and_download_while_the_database_is_down_answer_within_three_seconds()
    {
        var owner = await OwnerAsync();
        var file = await owner.UploadFileAsync("timed.txt", TestFiles.Text("timed"));
        var timings = new List<string>();

        await DuringOutageAsync(async () =>
        {
            foreach (var (what, send) in new (string, Func<Task<HttpResponseMessage>>)[]
            {
                ("upload", () => owner.UploadAsync("/api/files", "timed-outage.txt", TestFiles.Text("timed"))),
                ("list", () => owner.Http.GetAsync(new Uri("/api/files", UriKind.Relative))),
                ("download", () => owner.Http.GetAsync(new Uri($"/files/{file.Id}/download", UriKind.Relative))),
            })
            {
                var times = new List<double>();
                for (int i = 0; i < 5; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await send();
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                }

                times.Sort();
                timings.Add($"{what}: median {times[2]:0} ms, max {times[^1]:0} ms");
                Assert.True(times[^1] < AnswerBound.TotalMilliseconds, $"{what} took {times[^1]:0} ms during the outage: {string.Join(", ", times)}");
            }
        });

        output.WriteLine("Time to answer during the outage (5 requests each): " + string.Join("; ", timings));
    }
}
