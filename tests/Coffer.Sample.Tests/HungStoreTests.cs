using System.Diagnostics;
using System.Net;
using Coffer.Sample.Tests.Infrastructure;
using Coffer.TestSupport;

namespace Coffer.Sample.Tests;

/// <summary>Both storages on the real Ceph RGW, reached through a fault proxy that the tests hang, with 2 s timeouts.</summary>
public sealed class HungStoreApp : SampleApp
{
    public HungStoreApp()
        : this(new ProxiedS3SampleStorage())
    {
    }

    private HungStoreApp(ProxiedS3SampleStorage storage)
        : base(new SqliteSampleDatabase(), storage, new Dictionary<string, string>(SampleAppTests.Settings)
        {
            ["Coffer__Storages__private__RequestTimeout"] = "00:00:02",
            ["Coffer__Storages__public__RequestTimeout"] = "00:00:02",
            ["Coffer__Storages__private__ConnectTimeout"] = "00:00:02",
            ["Coffer__Storages__public__ConnectTimeout"] = "00:00:02",
            ["Sample__LedgerSweepInterval"] = "00:00:01",
        }) => Proxy = storage.Proxy;

    public FaultProxy Proxy { get; }
}

/// <summary>The S3 store behind a <see cref="FaultProxy"/>: the app talks to the proxy, the tests look at RGW directly.</summary>
public sealed class ProxiedS3SampleStorage : ISampleStorage
{
    private readonly S3SampleStorage _inner = new();

    public FaultProxy Proxy { get; } = FaultProxy.To(S3SampleStorage.Endpoint);

    public async Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(await _inner.CreateAsync(contentRoot, cancellationToken));
        foreach (string key in settings.Keys.Where(k => k.EndsWith("__ServiceUrl", StringComparison.Ordinal)).ToList())
        {
            settings[key] = Proxy.Endpoint;
        }

        return settings;
    }

    public Task<IReadOnlyList<string>> ListAsync(string storage, CancellationToken cancellationToken) => _inner.ListAsync(storage, cancellationToken);

    public Task<IReadOnlyList<string>> ListUnfinishedUploadsAsync(string storage, CancellationToken cancellationToken) => _inner.ListUnfinishedUploadsAsync(storage, cancellationToken);

    public bool IsS3 => true;

    public async ValueTask DisposeAsync()
    {
        Proxy.Resume();
        await _inner.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>
/// The store hangs under the running app (every connection stops, sockets open, as radosgw under SIGSTOP): uploads and
/// the health check answer 503 within the request timeout, a download link still works (it is signed locally), a delete
/// commits and owes its object's delete to the file ledger, and once the store is back the ledger sweeper does it and
/// uploads work again, without a restart. Before the timeouts, each of these requests hung for minutes.
/// </summary>
public sealed class HungStoreTests(HungStoreApp app, ITestOutputHelper output) : IClassFixture<HungStoreApp>, IDisposable
{
    /// <summary>2-second timeouts (the storages' health checks run side by side) and a loaded CI machine.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(15);

    private readonly int _logMark = app.LogMark;

    public void Dispose()
    {
        app.Proxy.Resume();
        output.WriteLine(app.LogSince(_logMark));
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task While_the_store_hangs_uploads_and_health_are_503_downloads_still_redirect_and_a_delete_is_done_once_it_is_back()
    {
        var user = await app.SignUpAsync();
        var kept = await user.UploadFileAsync("kept.txt", "kept"u8.ToArray(), "text/plain");
        var doomed = await user.UploadFileAsync("doomed.txt", "doomed"u8.ToArray(), "text/plain");
        string doomedName = (await app.Storage.ListAsync("private", default)).Single(n => n.Contains("doomed", StringComparison.Ordinal));

        app.Proxy.Hang();
        var (upload, uploadTime) = await TimedAsync(() => user.UploadAsync("/api/files", "new.txt", "new"u8.ToArray(), "text/plain"));
        using var anonymous = app.CreateClient();
        var (health, healthTime) = await TimedAsync(() => anonymous.GetAsync("/healthz"));
        var (download, downloadTime) = await TimedAsync(() => user.Http.GetAsync($"/files/{kept.Id}/download"));
        var (delete, deleteTime) = await TimedAsync(() => user.Http.DeleteAsync($"/api/files/{doomed.Id}"));
        bool objectLeftWhileHung = (await app.Storage.ListAsync("private", default)).Contains(doomedName);
        output.WriteLine($"Time to answer with the store hung: upload {uploadTime.TotalMilliseconds:0} ms, health {healthTime.TotalMilliseconds:0} ms, download {downloadTime.TotalMilliseconds:0} ms, delete {deleteTime.TotalMilliseconds:0} ms");

        app.Proxy.Resume();
        bool deletedOnceBack = await EventuallyAsync(async () => !(await app.Storage.ListAsync("private", default)).Contains(doomedName));
        var again = await user.UploadAsync("/api/files", "again.txt", "again"u8.ToArray(), "text/plain");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.Contains("Storage unavailable", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        // Parsed: the writer's JSON escapes the quotes around a storage's name (\u0027).
        var checks = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.StartsWith("Unhealthy: Storage 'private'", checks.GetProperty("storage:private").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Unhealthy: Storage 'public'", checks.GetProperty("storage:public").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, download.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.True(objectLeftWhileHung, "the delete of the object cannot have reached the hung store");
        Assert.True(deletedOnceBack, $"the ledger sweeper did not delete {doomedName} within 30 s of the store coming back");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.All(new[] { uploadTime, healthTime, downloadTime, deleteTime }, t => Assert.True(t < AnswerBound, $"an answer took {t.TotalSeconds:0.0} s"));
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedAsync(Func<Task<HttpResponseMessage>> request)
    {
        var watch = Stopwatch.StartNew();
        var response = await request();
        return (response, watch.Elapsed);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(250))
        {
            if (await condition())
            {
                return true;
            }
        }

        return false;
    }
}
