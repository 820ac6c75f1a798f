using Coffer.Sample.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Coffer.Sample.Tests.Browser;

/// <summary>The embedded default with the app's own limits (private: <c>MaxFileSize</c> 104857600, "up to 100 MB").</summary>
public sealed class UploadLimitBrowserApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage());

/// <summary>
/// The page promises "up to 100 MB": a file of exactly that size goes through, and one byte more is refused with the
/// server's message and a reset progress bar. The files are written to a temporary folder and deleted afterwards.
/// </summary>
public sealed class UploadLimitBrowserTests(UploadLimitBrowserApp app, ChromiumFixture chromium, ITestOutputHelper output)
    : UploadPageTests(app, chromium, output), IClassFixture<UploadLimitBrowserApp>, IClassFixture<ChromiumFixture>
{
    private const long MaxFileSize = 100L * 1024 * 1024;

    /// <summary>A new page, signed up and on "My files", which shows the limit.</summary>
    private async Task<IPage> LimitPageAsync()
    {
        var page = await SignedUpPageAsync();
        await Expect(page.Locator(".dropzone")).ToContainTextAsync("up to 100 MB");
        return page;
    }

    [Fact]
    public async Task A_file_of_exactly_100_MB_uploads_with_progress_to_100_percent()
    {
        var page = await LimitPageAsync();
        string path = WriteFile("exactly-100-MB.bin", MaxFileSize);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        var row = await WaitForRowAsync(page, "exactly-100-MB.bin");
        await Expect(row).ToContainTextAsync("100 MB");
        var progress = await ProgressRecorder.ReadAsync(page);
        Assert.Contains(100, progress);
        var added = (await App.Storage.ListAsync("private", CancellationToken.None)).Except(before).ToList();
        string stored = Assert.Single(added);
        Assert.Matches("/exactly-100-MB_[a-z0-9]{20}\\.bin$", stored); // a private name: the client's, with its random token
        string storedPath = Path.Combine(App.ContentRoot, "App_Data", "coffer", "private", stored);
        Assert.Equal(MaxFileSize, new FileInfo(storedPath).Length);
        Assert.Equal(TestFiles.Sha256(path), TestFiles.Sha256(storedPath));
    }

    [Fact]
    public async Task A_file_one_byte_over_100_MB_is_refused_with_the_limit_and_the_bar_reset()
    {
        var page = await LimitPageAsync();
        string path = WriteFile("one-byte-too-many.bin", MaxFileSize + 1);
        var before = await App.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        await Expect(page.Locator(".errors")).ToContainTextAsync("larger than 100 MB", new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        await Expect(page.Locator(".errors")).ToContainTextAsync("one-byte-too-many.bin");
        var bar = page.Locator(".dropzone .progress");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "0");
        Assert.Equal("0%", await bar.Locator("div").EvaluateAsync<string>("e => e.style.width"));
        Assert.DoesNotContain(await ProgressRecorder.ReadAsync(page), p => p > 0); // refused when it asked for a ticket: no byte was sent
        Assert.Equal(before, await App.Storage.ListAsync("private", CancellationToken.None));
        await Expect(page.Locator("tr[data-file-id]")).ToHaveCountAsync(0);
    }
}
