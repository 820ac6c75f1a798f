using System.Text.Json;
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
public sealed class UploadLimitBrowserTests : IClassFixture<UploadLimitBrowserApp>, IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private const long MaxFileSize = 100L * 1024 * 1024;

    private const string ProgressKey = "coffer-test-progress";

    // Records every value the upload progress bar takes; sessionStorage outlives the reload that follows an upload.
    private const string RecordProgress = """
        document.addEventListener("DOMContentLoaded", () => {
          const bar = document.querySelector(".dropzone .progress");
          if (!bar) return;
          new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem("coffer-test-progress") || "[]");
            seen.push(Number(bar.getAttribute("aria-valuenow")));
            sessionStorage.setItem("coffer-test-progress", JSON.stringify(seen));
          }).observe(bar, { attributes: true, attributeFilter: ["aria-valuenow"] });
        });
        """;

    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(3);

    private readonly UploadLimitBrowserApp _app;
    private readonly ChromiumFixture _chromium;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;
    private readonly List<string> _console = [];
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("coffer-upload-limit-");
    private IBrowserContext? _context;

    public UploadLimitBrowserTests(UploadLimitBrowserApp app, ChromiumFixture chromium, ITestOutputHelper output)
    {
        _app = app;
        _chromium = chromium;
        _output = output;
        _logMark = app.LogMark;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        _files.Delete(recursive: true);
        lock (_console)
        {
            _output.WriteLine("Browser console:" + Environment.NewLine + string.Join(Environment.NewLine, _console));
        }

        _output.WriteLine($"App at {_app.BaseAddress}; its log during this test:{Environment.NewLine}{_app.LogSince(_logMark)}");
    }

    /// <summary>A new page, signed up through the pages and on "My files".</summary>
    private async Task<IPage> SignedUpPageAsync()
    {
        _context = await _chromium.Browser.NewContextAsync(new() { BaseURL = _app.BaseAddress.ToString() });
        _context.SetDefaultTimeout(10_000);
        await _context.AddInitScriptAsync(RecordProgress);
        var page = await _context.NewPageAsync();
        page.Console += (_, message) => { lock (_console) { _console.Add($"[{message.Type}] {message.Text}"); } };
        page.PageError += (_, error) => { lock (_console) { _console.Add($"[pageerror] {error}"); } };
        await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync($"limit-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password").FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My files", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".dropzone")).ToContainTextAsync("up to 100 MB");
        return page;
    }

    /// <summary>A file of <paramref name="size"/> pseudo-random bytes in the temporary folder.</summary>
    private string WriteFile(string name, long size)
    {
        string path = Path.Combine(_files.FullName, name);
        TestFiles.WriteRandom(path, size);
        return path;
    }

    private static async Task<int[]> ProgressAsync(IPage page) =>
        JsonSerializer.Deserialize<int[]>(await page.EvaluateAsync<string>($"() => sessionStorage.getItem('{ProgressKey}') || '[]'"))!;

    [Fact]
    public async Task A_file_of_exactly_100_MB_uploads_with_progress_to_100_percent()
    {
        var page = await SignedUpPageAsync();
        string path = WriteFile("exactly-100-MB.bin", MaxFileSize);
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        var row = page.Locator("tr[data-file-id]").Filter(new() { Has = page.Locator("td.name", new() { HasTextString = "exactly-100-MB.bin" }) });
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        await Expect(row).ToContainTextAsync("100 MB");
        var progress = await ProgressAsync(page);
        Assert.Contains(100, progress);
        var added = (await _app.Storage.ListAsync("private", CancellationToken.None)).Except(before).ToList();
        string stored = Assert.Single(added);
        Assert.Matches("/exactly-100-MB_[a-z0-9]{20}\\.bin$", stored); // a private name: the client's, with its random token
        string storedPath = Path.Combine(_app.ContentRoot, "App_Data", "coffer", "private", stored);
        Assert.Equal(MaxFileSize, new FileInfo(storedPath).Length);
        Assert.Equal(TestFiles.Sha256(path), TestFiles.Sha256(storedPath));
    }

    [Fact]
    public async Task A_file_one_byte_over_100_MB_is_refused_with_the_limit_and_the_bar_reset()
    {
        var page = await SignedUpPageAsync();
        string path = WriteFile("one-byte-too-many.bin", MaxFileSize + 1);
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);

        await page.Locator("#upload-input").SetInputFilesAsync(path);

        await Expect(page.Locator(".errors")).ToContainTextAsync("larger than 100 MB", new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        await Expect(page.Locator(".errors")).ToContainTextAsync("one-byte-too-many.bin");
        var bar = page.Locator(".dropzone .progress");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "0");
        Assert.Equal("0%", await bar.Locator("div").EvaluateAsync<string>("e => e.style.width"));
        Assert.DoesNotContain(await ProgressAsync(page), p => p > 0); // refused when it asked for a ticket: no byte was sent
        Assert.Equal(before, await _app.Storage.ListAsync("private", CancellationToken.None));
        await Expect(page.Locator("tr[data-file-id]")).ToHaveCountAsync(0);
    }
}
