using Coffer.Sample.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Coffer.Sample.Tests.Browser;

/// <summary>
/// Uploads of large files through "My files" in a real Chromium: a page signed up through the pages, files written to a
/// temporary folder a mebibyte at a time (deleted afterwards) and compared by hash, the browser's console and the app's
/// log in each test's output.
/// </summary>
public abstract class UploadPageTests : IAsyncLifetime
{
    public static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(3);

    private readonly SampleApp _app;
    private readonly ChromiumFixture _chromium;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;
    private readonly List<string> _console = [];
    private IBrowserContext? _context;

    protected UploadPageTests(SampleApp app, ChromiumFixture chromium, ITestOutputHelper output)
    {
        _app = app;
        _chromium = chromium;
        _output = output;
        _logMark = app.LogMark;
    }

    protected SampleApp App => _app;

    protected DirectoryInfo Files { get; } = Directory.CreateTempSubdirectory("coffer-upload-page-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        Files.Delete(recursive: true);
        lock (_console)
        {
            _output.WriteLine("Browser console:" + Environment.NewLine + string.Join(Environment.NewLine, _console));
        }

        _output.WriteLine($"App at {_app.BaseAddress}; its log during this test:{Environment.NewLine}{_app.LogSince(_logMark)}");
    }

    /// <summary>A new page, signed up through the pages and on "My files"; without JavaScript if <paramref name="javaScript"/> is off.</summary>
    protected async Task<IPage> SignedUpPageAsync(bool javaScript = true)
    {
        _context = await _chromium.Browser.NewContextAsync(new() { BaseURL = _app.BaseAddress.ToString(), AcceptDownloads = true, JavaScriptEnabled = javaScript });
        _context.SetDefaultTimeout(10_000);
        await _context.AddInitScriptAsync(ProgressRecorder.Script);
        var page = await _context.NewPageAsync();
        page.Console += (_, message) => Note($"[{message.Type}] {message.Text}");
        page.PageError += (_, error) => Note($"[pageerror] {error}");
        await SignUpAsync(page);
        return page;
    }

    /// <summary>Signs a new user up through the pages, in the page's browser context, and waits on "My files".</summary>
    protected static async Task SignUpAsync(IPage page)
    {
        await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync($"upload-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password").FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My files", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.Load); // the module has bound the drop zone
    }

    protected void Note(string line)
    {
        lock (_console)
        {
            _console.Add(line);
        }
    }

    /// <summary>A file of <paramref name="size"/> pseudo-random bytes in the temporary folder.</summary>
    protected string WriteFile(string name, long size)
    {
        string path = Path.Combine(Files.FullName, name);
        TestFiles.WriteRandom(path, size);
        return path;
    }

    /// <summary>A slow uplink, so that an upload is still going when the test cuts in.</summary>
    protected static async Task ThrottleAsync(IPage page, int bytesPerSecond)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = bytesPerSecond,
        });
    }

    protected static ILocator Row(IPage page, string name) =>
        page.Locator("tr[data-file-id]").Filter(new() { Has = page.Locator("td.name", new() { HasTextString = name }) });

    protected static async Task<ILocator> WaitForRowAsync(IPage page, string name)
    {
        var row = Row(page, name);
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        return row;
    }

    /// <summary>The uploads the module still remembers for resuming.</summary>
    protected static Task<int> RememberedUploadsAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('coffer-upload:')).length");

    /// <summary>Downloads the file through its row's Download link (the app's redirect to the store) and returns its hash.</summary>
    protected async Task<byte[]> DownloadHashAsync(IPage page, ILocator row, string name)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync(),
            new() { Timeout = (float)UploadTimeout.TotalMilliseconds });
        Assert.Equal(name, download.SuggestedFilename);
        Assert.Null(await download.FailureAsync());
        string saved = Path.Combine(Files.FullName, "downloaded-" + name);
        await download.SaveAsAsync(saved);
        await download.DeleteAsync();
        return TestFiles.Sha256(saved);
    }
}

/// <summary>Records every value the upload progress bar takes, in sessionStorage, which outlives the reload that follows an upload.</summary>
public static class ProgressRecorder
{
    /// <summary>The init script (<c>AddInitScriptAsync</c>).</summary>
    public const string Script = """
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

    /// <summary>The values recorded so far, in order.</summary>
    public static async Task<int[]> ReadAsync(IPage page) =>
        System.Text.Json.JsonSerializer.Deserialize<int[]>(await page.EvaluateAsync<string>("() => sessionStorage.getItem('coffer-test-progress') || '[]'"))!;
}
