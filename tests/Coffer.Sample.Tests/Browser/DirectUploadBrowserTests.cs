using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Coffer.Sample.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Coffer.Sample.Tests.Browser;

/// <summary>The embedded default (SQLite + disk) with a private limit of 2 GiB, for files larger than the sample's 100 MB.</summary>
public sealed class DirectUploadDiskBrowserApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), DirectUploadSettings.LargeFiles);

/// <summary>Both storages on the Ceph RGW, a private limit of 2 GiB. Run its tests under <c>flock /tmp/coffer-rgw.lock</c>.</summary>
public sealed class DirectUploadS3BrowserApp() : SampleApp(new SqliteSampleDatabase(), new S3SampleStorage(), DirectUploadSettings.LargeFiles);

/// <summary>What the direct-upload browser tests set and assume.</summary>
public static class DirectUploadSettings
{
    /// <summary>The default part size (local disk and S3 alike).</summary>
    public const long PartSize = 8 * 1024 * 1024;

    /// <summary>Room for the large files of these tests: a private limit of 2 GiB.</summary>
    public static readonly IReadOnlyDictionary<string, string> LargeFiles = new Dictionary<string, string>
    {
        ["Coffer__Storages__private__MaxFileSize"] = (2L * 1024 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The page's part PUTs (to the store, local or S3, with the part number in the URL), their answers and failures,
/// and every request the page sends to the app itself.
/// </summary>
public sealed partial class PartLog
{
    private readonly string _appOrigin;
    private readonly ConcurrentQueue<(int Part, string Url)> _sent = new();
    private readonly ConcurrentQueue<int> _stored = new();
    private readonly ConcurrentQueue<int> _failed = new();
    private readonly ConcurrentQueue<string> _toApp = new();

    public PartLog(IPage page, Uri app)
    {
        _appOrigin = app.GetLeftPart(UriPartial.Authority);
        page.Request += (_, request) =>
        {
            if (request.Url.StartsWith(_appOrigin, StringComparison.Ordinal))
            {
                _toApp.Enqueue($"{request.Method} {new Uri(request.Url).PathAndQuery}");
            }

            if (request.Method == "PUT" && PartNumber(request.Url) is { } part)
            {
                _sent.Enqueue((part, request.Url));
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Request.Method == "PUT" && response.Status == 200 && PartNumber(response.Url) is { } part)
            {
                _stored.Enqueue(part);
            }
        };
        page.RequestFailed += (_, request) =>
        {
            if (request.Method == "PUT" && PartNumber(request.Url) is { } part)
            {
                _failed.Enqueue(part);
            }
        };
    }

    /// <summary>Part numbers in the order their PUTs started (a part sent again shows again).</summary>
    public IReadOnlyList<int> Sent => [.. _sent.Select(s => s.Part)];

    /// <summary>The part URLs, in the order their PUTs started.</summary>
    public IReadOnlyList<string> SentUrls => [.. _sent.Select(s => s.Url)];

    /// <summary>Parts the store answered 200 to.</summary>
    public IReadOnlyList<int> Stored => [.. _stored];

    /// <summary>Part PUTs that failed on the way (cut, aborted).</summary>
    public IReadOnlyList<int> Failed => [.. _failed];

    /// <summary>Every request the page sent to the app, as <c>METHOD path</c>.</summary>
    public IReadOnlyList<string> ToApp => [.. _toApp];

    /// <summary>Waits until the store has answered <paramref name="count"/> part PUTs in all.</summary>
    public Task WaitForStoredAsync(int count) => WaitAsync(() => _stored.Count >= count, $"{count} stored parts");

    /// <summary>Waits until a part PUT has failed.</summary>
    public Task WaitForFailureAsync() => WaitAsync(() => !_failed.IsEmpty, "a failed part PUT");

    // Events, not time: the check runs as often as the page reports; the timeout only ends a test that hangs.
    internal static async Task WaitAsync(Func<bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(UploadPageTests.UploadTimeout);
        while (!done())
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (TaskCanceledException)
            {
                throw new TimeoutException($"The page did not reach {what} within {UploadPageTests.UploadTimeout}.");
            }
        }
    }

    /// <summary>The part number of a part URL: <c>part=</c> on Coffer's local endpoint, <c>partNumber=</c> on S3.</summary>
    private static int? PartNumber(string url) =>
        PartQuery().Match(url) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"[?&](?:part|partNumber)=(\d+)(?:&|$)")]
    private static partial Regex PartQuery();
}

/// <summary>
/// Every value the module hands to <c>onProgress</c>, in order, across reloads: the page gets the module with its
/// <c>upload</c> wrapped to report each value to the test as well (the bar shows only whole percents).
/// </summary>
public sealed class ProgressLog
{
    private const string Module = "**/_content/Coffer.AspNetCore/coffer-upload.js";

    private const string Wrapper = """

        export function upload(file, options = {}) {
          const onProgress = options.onProgress;
          return uploadAsShipped(file, { ...options, onProgress: p => { window.cofferTestProgress(p.loaded, p.total); onProgress?.(p); } });
        }
        """;

    private readonly ConcurrentQueue<(double Loaded, double Total)> _values = new();

    private ProgressLog()
    {
    }

    /// <summary>The values so far: bytes loaded and the file's size.</summary>
    public IReadOnlyList<(double Loaded, double Total)> Values => [.. _values];

    /// <summary>Waits until the module has reported <paramref name="bytes"/> loaded.</summary>
    public Task WaitForLoadedAsync(long bytes) => PartLog.WaitAsync(() => _values.Any(v => v.Loaded >= bytes), $"{bytes} bytes loaded");

    /// <summary>Wraps the module of <paramref name="page"/> and reloads it, so that its uploads until the next reload are recorded.</summary>
    public static async Task<ProgressLog> AttachAsync(IPage page)
    {
        var log = new ProgressLog();
        await page.ExposeFunctionAsync("cofferTestProgress", (double loaded, double total) =>
        {
            log._values.Enqueue((loaded, total));
            return true; // Playwright's two-argument callbacks return something
        });
        await page.RouteAsync(Module, async route =>
        {
            var response = await route.FetchAsync();
            string shipped = await response.TextAsync();
            const string Export = "export async function upload(";
            if (!shipped.Contains(Export, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The module no longer starts upload() with '{Export}': the test cannot wrap it.");
            }

            await route.FulfillAsync(new() { Response = response, Body = shipped.Replace(Export, "async function uploadAsShipped(", StringComparison.Ordinal) + Wrapper });
        });
        await page.ReloadAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        // Routing intercepts every request of the page, and the parts' too: it would change what a network cut does to them.
        await page.UnrouteAsync(Module);
        return log;
    }
}

/// <summary>Direct uploads to the local disk (Coffer's part endpoint): a large file, a network cut, a reload, a cancel.</summary>
public sealed class DirectUploadDiskBrowserTests(DirectUploadDiskBrowserApp app, ChromiumFixture chromium, ITestOutputHelper output)
    : UploadPageTests(app, chromium, output), IClassFixture<DirectUploadDiskBrowserApp>, IClassFixture<ChromiumFixture>
{
    // 8 parts: four go up at once, so the test can cut in once the first four are stored and the last four are on the way.
    private const long EightParts = 8 * DirectUploadSettings.PartSize;

    private const int SlowUplink = 16 * 1024 * 1024;

    private string StoredPath(string name) => Path.Combine(App.ContentRoot, "App_Data", "coffer", "private", name);

    private async Task<string> SingleNewFileAsync(IReadOnlyList<string> before)
    {
        var added = (await App.Storage.ListAsync("private", CancellationToken.None)).Except(before).ToList();
        return Assert.Single(added); // the file alone: no part, manifest or temporary file left beside it
    }

    [Fact]
    public async Task A_200_MB_file_goes_to_the_local_disk_in_parts_with_progress_to_100_percent_and_downloads_unchanged()
    {
        var page = await SignedUpPageAsync();
        var parts = new PartLog(page, App.BaseAddress);
        const long size = 200L * 1024 * 1024;
        string path = WriteFile("video-200MB.bin", size);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        var row = await WaitForRowAsync(page, "video-200MB.bin");
        await Expect(row).ToContainTextAsync("200 MB");
        var progress = await ProgressRecorder.ReadAsync(page);
        Assert.Contains(progress, p => p is > 0 and < 100);
        Assert.Contains(100, progress);
        Assert.Equal(Enumerable.Range(1, 25), parts.Stored.Order());
        Assert.Equal(1, parts.ToApp.Count(r => r == "POST /api/files")); // the commit
        string stored = await SingleNewFileAsync(before);
        Assert.Matches(@"^files/\d{4}/\d{2}/video-200MB_[a-z0-9]{20}\.bin$", stored); // where the row's field puts its files
        Assert.Equal(size, new FileInfo(StoredPath(stored)).Length);
        Assert.Equal(0, await RememberedUploadsAsync(page));
        Assert.Equal(TestFiles.Sha256(path), await DownloadHashAsync(page, row, "video-200MB.bin"));
    }

    [Fact]
    public async Task Without_JavaScript_the_page_form_sends_the_file_through_the_app_within_the_storage_limit()
    {
        var page = await SignedUpPageAsync(javaScript: false);
        var parts = new PartLog(page, App.BaseAddress);
        string path = WriteFile("no-script.bin", 40L * 1024 * 1024); // over the server's 30 MB default body limit
        var before = await App.Storage.ListAsync("private", CancellationToken.None);

        await page.GetByLabel("File to upload").SetInputFilesAsync(path);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Uploaded no-script.bin.", new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        await Expect(Row(page, "no-script.bin")).ToContainTextAsync("40 MB");
        Assert.Empty(parts.Sent);
        Assert.DoesNotContain("POST /api/uploads", parts.ToApp);
        Assert.Equal(TestFiles.Sha256(path), TestFiles.Sha256(StoredPath(await SingleNewFileAsync(before))));
    }

    [Fact]
    public async Task After_a_network_cut_the_upload_goes_on_and_no_stored_part_is_sent_again()
    {
        var page = await SignedUpPageAsync();
        var progress = await ProgressLog.AttachAsync(page);
        var parts = new PartLog(page, App.BaseAddress);
        string path = WriteFile("cut.bin", EightParts);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);
        await ThrottleAsync(page, SlowUplink);

        await page.Locator("#upload-input").SetInputFilesAsync(path);
        await parts.WaitForStoredAsync(4);
        // Half a part more: bytes of the last four parts are on the way, and none of them can be stored yet.
        await progress.WaitForLoadedAsync(4 * DirectUploadSettings.PartSize + (DirectUploadSettings.PartSize / 2));
        await page.Context.SetOfflineAsync(true);
        var storedBeforeCut = parts.Stored.ToHashSet();
        await parts.WaitForFailureAsync();
        await page.Context.SetOfflineAsync(false);

        var row = await WaitForRowAsync(page, "cut.bin");
        Note($"parts sent: {string.Join(", ", parts.Sent)}; failed: {string.Join(", ", parts.Failed)}; stored before the cut: {string.Join(", ", storedBeforeCut)}");
        Assert.NotEmpty(parts.Failed);
        Assert.All(storedBeforeCut, part => Assert.Single(parts.Sent, p => p == part));
        // Every part was sent; whether each 200 reached the page is not asked: a part stored just as the cut came loses
        // its answer, and the status call then (rightly) keeps it from being sent again. The hash below proves the parts.
        Assert.Equal(Enumerable.Range(1, 8), parts.Sent.Distinct().Order());
        Assert.Equal(0, await RememberedUploadsAsync(page));
        Assert.Equal(TestFiles.Sha256(path), TestFiles.Sha256(StoredPath(await SingleNewFileAsync(before))));
        await Expect(row).ToContainTextAsync("64 MB");
        // The parts cut short are sent again from their first byte; the progress stays where it was meanwhile.
        var values = progress.Values;
        Note($"progress: {values.Count} values");
        Assert.All(values, v => Assert.Equal(EightParts, v.Total));
        var backwards = values.Zip(values.Skip(1)).Where(p => p.Second.Loaded < p.First.Loaded).ToList();
        Assert.True(backwards.Count == 0, $"The progress stepped back {backwards.Count} times, first from {backwards.FirstOrDefault().First.Loaded} to {backwards.FirstOrDefault().Second.Loaded} bytes.");
        Assert.Equal(EightParts, values[^1].Loaded);
    }

    [Fact]
    public async Task After_a_page_reload_picking_the_same_file_again_sends_only_the_missing_parts()
    {
        var page = await SignedUpPageAsync();
        var parts = new PartLog(page, App.BaseAddress);
        string path = WriteFile("reload.bin", EightParts);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);
        await ThrottleAsync(page, SlowUplink);
        await page.Locator("#upload-input").SetInputFilesAsync(path);
        await parts.WaitForStoredAsync(4);

        await page.ReloadAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        var storedBeforeReload = parts.Stored.ToHashSet();
        int sentBeforeReload = parts.Sent.Count;
        Assert.Equal(1, await RememberedUploadsAsync(page));
        await page.Locator("#upload-input").SetInputFilesAsync(path);

        await WaitForRowAsync(page, "reload.bin");
        var sentAfterReload = parts.Sent.Skip(sentBeforeReload).ToList();
        Note($"stored before the reload: {string.Join(", ", storedBeforeReload)}; sent after: {string.Join(", ", sentAfterReload)}");
        Assert.True(sentAfterReload.Count < 8, $"{sentAfterReload.Count} part PUTs after the reload, for 8 parts.");
        Assert.Empty(sentAfterReload.Intersect(storedBeforeReload));
        Assert.Contains("POST /api/uploads/status", parts.ToApp);
        Assert.Equal(1, parts.ToApp.Count(r => r == "POST /api/uploads")); // one ticket, before the reload
        Assert.Equal(0, await RememberedUploadsAsync(page));
        Assert.Equal(TestFiles.Sha256(path), TestFiles.Sha256(StoredPath(await SingleNewFileAsync(before))));
    }

    [Fact]
    public async Task A_second_user_on_the_same_browser_never_resumes_the_first_users_upload()
    {
        var page = await SignedUpPageAsync();
        string path = WriteFile("shared-browser.bin", EightParts);
        await ThrottleAsync(page, SlowUplink);
        var first = new PartLog(page, App.BaseAddress);
        await page.Locator("#upload-input").SetInputFilesAsync(path);
        await first.WaitForStoredAsync(1);
        await page.ReloadAsync(); // left mid-upload, not resumed
        await page.WaitForLoadStateAsync(LoadState.Load);
        Assert.Equal(1, await RememberedUploadsAsync(page));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignUpAsync(page);
        var second = new PartLog(page, App.BaseAddress);
        await page.Locator("#upload-input").SetInputFilesAsync(path);

        await WaitForRowAsync(page, "shared-browser.bin");
        Note($"requests of the second user: {string.Join(", ", second.ToApp.Where(r => !r.StartsWith("PUT ", StringComparison.Ordinal)))}");
        Assert.DoesNotContain("POST /api/uploads/status", second.ToApp); // the first user's ticket, which the app refuses (403)
        Assert.Equal(1, second.ToApp.Count(r => r == "POST /api/uploads")); // a ticket of the second user's own
        Assert.Equal(1, await RememberedUploadsAsync(page)); // the first user's, for the first user to resume
    }

    [Fact]
    public async Task Cancel_stops_the_upload_and_leaves_nothing_in_the_store_and_no_row()
    {
        var page = await SignedUpPageAsync();
        var parts = new PartLog(page, App.BaseAddress);
        string path = WriteFile("cancel.bin", EightParts);
        await ThrottleAsync(page, SlowUplink);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);
        await page.Locator("#upload-input").SetInputFilesAsync(path);
        await parts.WaitForStoredAsync(1);
        Assert.NotEqual(before, await App.Storage.ListAsync("private", CancellationToken.None)); // a part is on disk

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel upload" }).ClickAsync();

        await Expect(page.Locator(".errors")).ToHaveTextAsync("Cancelled the upload of cancel.bin.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel upload" })).ToBeHiddenAsync();
        Assert.Equal(before, await App.Storage.ListAsync("private", CancellationToken.None));
        Assert.Contains("POST /api/uploads/abort", parts.ToApp);
        Assert.Equal(0, await RememberedUploadsAsync(page));
        await page.ReloadAsync();
        await Expect(page.Locator("tr[data-file-id]")).ToHaveCountAsync(0);
        Assert.Equal(before, await App.Storage.ListAsync("private", CancellationToken.None));
    }
}

/// <summary>Direct uploads to S3 (the Ceph RGW): the bytes go from the browser to the bucket, never through the app.</summary>
public sealed class DirectUploadS3BrowserTests(DirectUploadS3BrowserApp app, ChromiumFixture chromium, ITestOutputHelper output)
    : UploadPageTests(app, chromium, output), IClassFixture<DirectUploadS3BrowserApp>, IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_1_GiB_file_goes_straight_to_the_bucket_never_through_the_app_and_downloads_unchanged()
    {
        var page = await SignedUpPageAsync();
        var parts = new PartLog(page, App.BaseAddress);
        const long size = 1024L * 1024 * 1024;
        string path = WriteFile("backup-1GiB.bin", size);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        var row = await WaitForRowAsync(page, "backup-1GiB.bin");
        Assert.Contains(100, await ProgressRecorder.ReadAsync(page));
        Assert.Equal(Enumerable.Range(1, 128), parts.Stored.Distinct().Order());
        string s3 = new Uri(S3SampleStorage.Endpoint).GetLeftPart(UriPartial.Authority);
        Assert.All(parts.SentUrls, url => Assert.StartsWith(s3 + "/", url, StringComparison.Ordinal));
        // What the app saw from the page: small JSON requests (ticket, part URLs, complete, commit), and not one byte of the file.
        Assert.DoesNotContain(parts.ToApp, r => r.StartsWith("PUT ", StringComparison.Ordinal));
        Note($"requests to the app: {string.Join(", ", parts.ToApp.Distinct())}");
        var added = (await App.Storage.ListAsync("private", CancellationToken.None)).Except(before).ToList();
        Assert.Single(added);
        Assert.Equal(0, await RememberedUploadsAsync(page));
        Assert.Equal(TestFiles.Sha256(path), await DownloadHashAsync(page, row, "backup-1GiB.bin"));
    }
}
