using System.Net;
using System.Text.Json;
using Coffer.Sample.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Coffer.Sample.Tests.Browser;

/// <summary>The embedded default (SQLite + disk), for the browser tests.</summary>
public sealed class BrowserApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage());

/// <summary>
/// The sample's pages in a real headless Chromium: what a user does, through the page's own forms and scripts.
/// Screenshots of the main pages go to <c>artifacts/screenshots/</c>; the app's log and the browser's console go to
/// each test's output.
/// </summary>
public sealed class BrowserTests : IClassFixture<BrowserApp>, IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private const string HasNoHorizontalScroll = "() => document.documentElement.scrollWidth <= window.innerWidth";

    private static readonly string Screenshots = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "screenshots");

    private readonly BrowserApp _app;
    private readonly ChromiumFixture _chromium;
    private readonly ITestOutputHelper _output;
    private readonly int _logMark;
    private readonly List<string> _console = [];
    private readonly List<IBrowserContext> _contexts = [];

    public BrowserTests(BrowserApp app, ChromiumFixture chromium, ITestOutputHelper output)
    {
        _app = app;
        _chromium = chromium;
        _output = output;
        _logMark = app.LogMark;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        _output.WriteLine("Browser console:");
        lock (_console)
        {
            _output.WriteLine(string.Join(Environment.NewLine, _console));
        }

        _output.WriteLine($"App at {_app.BaseAddress}, content root {_app.ContentRoot}; its log during this test:");
        _output.WriteLine(_app.LogSince(_logMark));
    }

    private async Task<IPage> NewPageAsync(int width = 1280, int height = 800, bool phone = false)
    {
        var context = await _chromium.Browser.NewContextAsync(new()
        {
            BaseURL = _app.BaseAddress.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            IsMobile = phone,
            HasTouch = phone,
            AcceptDownloads = true,
        });
        _contexts.Add(context);
        context.SetDefaultTimeout(10_000);
        await context.AddInitScriptAsync(ProgressRecorder.Script);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { lock (_console) { _console.Add($"[{message.Type}] {message.Text}"); } };
        page.PageError += (_, error) => { lock (_console) { _console.Add($"[pageerror] {error}"); } };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (_console) { _console.Add($"[response] {response.Status} {response.Request.Method} {response.Url}"); }
            }
        };
        return page;
    }

    /// <summary>Signs up through the pages, starting from the home page's "Sign up" link; returns the new user's email.</summary>
    private static async Task<string> SignUpAsync(IPage page)
    {
        string email = $"browser-{Guid.NewGuid():N}@example.com";
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Sign up" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(ApiUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My files", Level = 1 })).ToBeVisibleAsync();
        await ScriptsReadyAsync(page);
        return email;
    }

    /// <summary>Uploads through the page's file input (as a click on the drop zone would) and waits for the file's row.</summary>
    private static async Task<ILocator> UploadAsync(IPage page, string name, byte[] content, string mimeType = "application/octet-stream")
    {
        await page.Locator("#upload-input").SetInputFilesAsync(new FilePayload { Name = name, MimeType = mimeType, Buffer = content });
        var row = Row(page, name);
        await Expect(row).ToBeVisibleAsync();
        await ScriptsReadyAsync(page); // the upload reloads the page
        return row;
    }

    /// <summary>
    /// Waits for the document's load event. An element is visible as soon as it is parsed, before <c>site.js</c> at the
    /// end of the body has run and bound the drop zone and the share forms; a key pressed in between does nothing (CI
    /// failed so on a loaded machine).
    /// </summary>
    private static Task ScriptsReadyAsync(IPage page) => page.WaitForLoadStateAsync(LoadState.Load);

    private static ILocator Row(IPage page, string name) =>
        page.Locator("tr[data-file-id]").Filter(new() { Has = page.Locator("td.name", new() { HasTextString = name }) });

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task Signing_up_through_the_page_signs_the_user_in_on_my_files()
    {
        var page = await NewPageAsync();

        await SignUpAsync(page);

        Assert.EndsWith("/Files", page.Url, StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.Locator(".empty")).ToHaveTextAsync("No files yet. Upload one above.");
    }

    [Fact]
    public async Task Uploading_through_the_file_input_fills_the_progress_bar_and_lists_the_file()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page);
        byte[] content = TestFiles.RandomBytes(2 * 1024 * 1024);
        var cdp = await page.Context.NewCDPSessionAsync(page); // a slow uplink (4 MB/s), so the bar has steps to show
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 4 * 1024 * 1024,
        });

        var row = await UploadAsync(page, "holiday-video.bin", content);

        var progress = await ProgressRecorder.ReadAsync(page);
        _output.WriteLine($"progress seen: {string.Join(", ", progress)}");
        Assert.Contains(progress, p => p is > 0 and < 100);
        Assert.Equal(100, progress[^1]);
        Assert.Equal(progress.Order(), progress);
        await Expect(row.Locator("td[data-label=Size]")).ToHaveTextAsync("2 MB");
    }

    [Fact]
    public async Task Download_link_downloads_the_uploaded_bytes_under_the_original_name()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page);
        byte[] content = TestFiles.RandomBytes(150_000);
        var row = await UploadAsync(page, "Tax return 2025.pdf", content, "application/pdf");

        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());

        Assert.Equal("Tax return 2025.pdf", download.SuggestedFilename);
        Assert.Null(await download.FailureAsync());
        Assert.Equal(content, await File.ReadAllBytesAsync(await download.PathAsync()));
    }

    [Fact]
    public async Task Share_link_made_on_the_page_fetches_the_file_without_signing_in()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page);
        byte[] content = TestFiles.Text("share");
        var row = await UploadAsync(page, "share-me.txt", content, "text/plain");

        await row.Locator("select[name=expiresInSeconds]").SelectOptionAsync("86400");
        await row.GetByRole(AriaRole.Button, new() { Name = "Share link" }).ClickAsync();
        var output = row.GetByRole(AriaRole.Textbox, new() { Name = "Share link" });
        await Expect(output).ToBeVisibleAsync();
        string link = await output.InputValueAsync();
        using var anonymous = _app.CreateClient();
        using var response = await anonymous.GetAsync(new Uri(link));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("Expires ", await output.GetAttributeAsync("title"), StringComparison.Ordinal);
        await ScreenshotAsync(page, "my-files-share-link");
    }

    [Fact]
    public async Task Deleting_after_confirming_removes_the_file_from_the_list_and_the_storage()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page);
        var before = await _app.Storage.ListAsync("private", CancellationToken.None);
        var row = await UploadAsync(page, "delete-me.txt", TestFiles.Text("delete"), "text/plain");
        var stored = Assert.Single((await _app.Storage.ListAsync("private", CancellationToken.None)).Except(before));
        string? confirmation = null;
        page.Dialog += async (_, dialog) =>
        {
            confirmation = dialog.Message;
            await dialog.AcceptAsync();
        };

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Deleted delete-me.txt.");
        await Expect(Row(page, "delete-me.txt")).ToHaveCountAsync(0);
        Assert.Equal("Delete this file?", confirmation);
        Assert.DoesNotContain(stored, await _app.Storage.ListAsync("private", CancellationToken.None));
    }

    [Fact]
    public async Task Files_page_fits_a_phone_screen_without_horizontal_scrolling()
    {
        var page = await NewPageAsync(390, 844, phone: true);
        string email = await SignUpAsync(page);
        using (var user = await _app.LogInAsync(email))
        {
            await user.UploadFileAsync("A rather long file name for a small screen - final version (2).docx", TestFiles.RandomBytes(48_000));
            await user.UploadFileAsync("IMG_20250614_181502.jpg", TestFiles.RandomBytes(2_400_000), "image/jpeg");
        }

        await page.ReloadAsync();

        await Expect(page.Locator("tr[data-file-id]")).ToHaveCountAsync(2);
        Assert.True(await page.EvaluateAsync<bool>(HasNoHorizontalScroll), "The files page scrolls sideways on a 390 px wide screen.");
        await ScreenshotAsync(page, "phone-my-files");
    }

    [Fact]
    public async Task Main_pages_are_styled_and_fit_the_window()
    {
        var anonymous = await NewPageAsync();
        var signedIn = await NewPageAsync();
        string email = await SignUpAsync(signedIn);
        using (var user = await _app.LogInAsync(email))
        {
            await user.UploadFileAsync("Project plan.pdf", TestFiles.RandomBytes(245_000), "application/pdf");
            await user.UploadFileAsync("Budget 2026.xlsx", TestFiles.RandomBytes(38_500));
            await user.UploadFileAsync("Holiday photos.zip", TestFiles.RandomBytes(5_300_000), "application/zip");
            await user.UploadMediaAsync("sunrise.png", TestFiles.Png(320, 200, (250, 180, 80), (220, 70, 90)), "image/png");
            await user.UploadMediaAsync("ocean.png", TestFiles.Png(320, 200, (40, 120, 200), (20, 200, 170)), "image/png");
            await user.UploadMediaAsync("forest.png", TestFiles.Png(320, 200, (30, 110, 60), (160, 210, 90)), "image/png");
            await user.UploadMediaAsync("readme.txt", TestFiles.Text("media"), "text/plain");
        }

        var pages = new (IPage Page, string Path, string Screenshot)[]
        {
            (anonymous, "/", "home"),
            (anonymous, "/Account/Register", "sign-up"),
            (anonymous, "/Account/Login", "sign-in"),
            (signedIn, "/Files", "my-files"),
            (signedIn, "/Media", "media"),
        };
        foreach (var (page, path, screenshot) in pages)
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response?.Status);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.Equal("rgb(246, 247, 249)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor")); // site.css applied
            Assert.True(await page.EvaluateAsync<bool>(HasNoHorizontalScroll), $"{path} scrolls sideways at 1280 px.");
            Assert.True(await page.EvaluateAsync<bool>("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"), $"{path} has a broken image.");
            await ScreenshotAsync(page, screenshot);
        }

        lock (_console)
        {
            Assert.DoesNotContain(_console, line => line.StartsWith("[error]", StringComparison.Ordinal)
                || line.StartsWith("[response]", StringComparison.Ordinal) || line.StartsWith("[pageerror]", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_drop_zone_button_opens_the_file_chooser_by_keyboard_and_by_click()
    {
        var page = await NewPageAsync();
        // Listening from the start: Playwright turns Chromium's chooser interception on when the first listener comes,
        // and a key pressed before that round trip completes opens an unintercepted chooser that never reports (the
        // CI failure; puppeteer#6040 is the same race).
        var choosers = System.Threading.Channels.Channel.CreateUnbounded<IFileChooser>();
        page.FileChooser += (_, chooser) => choosers.Writer.TryWrite(chooser);
        await SignUpAsync(page);
        var choose = page.GetByRole(AriaRole.Button, new() { Name = "Choose files", Exact = true });
        await Expect(choose).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("^Private: only you can open them"));

        // Each activation asks for the chooser once: the input's own click bubbled to the zone's handler, which clicked
        // it again, and a second request while the first is opening may leave the user with none.
        await page.EvaluateAsync("() => { window.inputClicks = 0; const input = document.querySelector('#upload-input'); const click = input.click.bind(input); input.click = () => { window.inputClicks++; click(); }; }");
        async Task<IFileChooser> ChooserAfterAsync(Func<Task> activate, int clicksSoFar)
        {
            await activate();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var chooser = await choosers.Reader.ReadAsync(timeout.Token);
            Assert.Equal(clicksSoFar, await page.EvaluateAsync<int>("() => window.inputClicks"));
            return chooser;
        }

        await choose.FocusAsync();
        var byEnter = await ChooserAfterAsync(() => page.Keyboard.PressAsync("Enter"), 1);
        var bySpace = await ChooserAfterAsync(() => page.Keyboard.PressAsync(" "), 2);
        var byClick = await ChooserAfterAsync(() => choose.ClickAsync(), 3);

        Assert.True(byEnter.IsMultiple && bySpace.IsMultiple && byClick.IsMultiple);
        await byClick.SetFilesAsync(new FilePayload { Name = "chosen.txt", MimeType = "text/plain", Buffer = TestFiles.Text("chosen") });
        await Expect(Row(page, "chosen.txt")).ToBeVisibleAsync();
    }

    /// <summary>Runs axe-core on the page as it is now and adds each violation (rule, impact, element) to <paramref name="found"/>.</summary>
    // ----- Images (Coffer.Images) -----

    [Fact]
    public async Task A_photo_uploaded_to_media_shows_the_right_way_up_in_the_grid_and_its_original_has_no_gps()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page);
        await page.GotoAsync("/Media");
        await ScriptsReadyAsync(page);
        // Stored 800 × 400, red on the left; orientation 6 says: turn it clockwise, so it shows 400 × 800, red on top.
        using var photo = Coffer.Images.Tests.Infrastructure.TestImages.JpegWithExif(orientation: 6, withGps: true, 800, 400);

        await page.Locator(".dropzone input[type=file]").SetInputFilesAsync(new FilePayload { Name = "holiday.jpg", MimeType = "image/jpeg", Buffer = photo.ToArray() });
        var tile = page.Locator(".media-grid figure").Filter(new() { HasTextString = "holiday.jpg" });
        await Expect(tile).ToBeVisibleAsync();
        await ScriptsReadyAsync(page);
        var image = tile.Locator("img");
        await Expect(image).ToHaveJSPropertyAsync("complete", true);

        // What the browser shows, read back from the decoded thumbnail: the top is red and the bottom blue.
        var pixels = await image.EvaluateAsync<int[][]>("""
            img => {
              const canvas = document.createElement("canvas");
              canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
              const g = canvas.getContext("2d", { willReadFrequently: true }); g.drawImage(img, 0, 0);
              const at = (x, y) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
              return [at(canvas.width / 2, canvas.height / 8), at(canvas.width / 2, canvas.height * 7 / 8), [img.naturalWidth, img.naturalHeight]];
            }
            """);
        _output.WriteLine($"thumbnail top {string.Join(",", pixels[0])}, bottom {string.Join(",", pixels[1])}, size {string.Join("×", pixels[2])}");
        Assert.True(pixels[0][0] > 180 && pixels[0][2] < 90, "the top of the thumbnail is red");
        Assert.True(pixels[1][2] > 180 && pixels[1][0] < 90, "the bottom of the thumbnail is blue");
        Assert.Equal([256, 256], pixels[2]);
        Assert.Contains("~thumb.webp", await image.GetAttributeAsync("src"), StringComparison.Ordinal);
        await ScreenshotAsync(page, "media-grid-image");

        // The original, downloaded from its link: no GPS position, the orientation kept.
        string href = (await tile.Locator("a").GetAttributeAsync("href"))!;
        var original = await page.APIRequest.GetAsync(href);
        Assert.Equal(200, original.Status);
        var metadata = MetadataExtractor.ImageMetadataReader.ReadMetadata(new MemoryStream(await original.BodyAsync()));
        Assert.Empty(metadata.OfType<MetadataExtractor.Formats.Exif.GpsDirectory>());
        Assert.Equal(6, MetadataExtractor.DirectoryExtensions.GetInt32(
            metadata.OfType<MetadataExtractor.Formats.Exif.ExifIfd0Directory>().Single(), MetadataExtractor.Formats.Exif.ExifDirectoryBase.TagOrientation));

        // The JSON API says the same.
        var media = await page.APIRequest.GetAsync("/api/media");
        using var json = JsonDocument.Parse(await media.TextAsync());
        var item = json.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "holiday.jpg");
        Assert.Equal((400, 800), (item.GetProperty("width").GetInt32(), item.GetProperty("height").GetInt32()));
        Assert.EndsWith("~thumb.webp", item.GetProperty("variants").GetProperty("thumb").GetString(), StringComparison.Ordinal);
    }

    private static async Task AxeAsync(IPage page, string state, List<string> found)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var result = await page.RunAxe();
        foreach (var violation in result.Violations)
        {
            foreach (var node in violation.Nodes)
            {
                found.Add($"{state} ({page.Url}): {violation.Id} [{violation.Impact}] at {node.Target}: {violation.Help} {node.Html}");
            }
        }
    }

    private static async Task VisitAndAxeAsync(IPage page, string path, string state, List<string> found)
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response?.Status);
        await AxeAsync(page, state, found);
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task Every_page_and_state_has_no_axe_core_violations(string screen)
    {
        bool phone = screen == "phone";
        var anonymous = await NewPageAsync(phone ? 390 : 1280, phone ? 844 : 800, phone);
        var signedIn = await NewPageAsync(phone ? 390 : 1280, phone ? 844 : 800, phone);
        var found = new List<string>();

        await VisitAndAxeAsync(anonymous, "/", "home", found);
        await VisitAndAxeAsync(anonymous, "/Account/Register", "sign-up", found);
        await VisitAndAxeAsync(anonymous, "/Account/Login", "sign-in", found);
        await anonymous.GetByLabel("Email").FillAsync($"nobody-{Guid.NewGuid():N}@example.com");
        await anonymous.GetByLabel("Password").FillAsync("Wrong-password-1");
        await anonymous.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(anonymous.Locator(".errors")).Not.ToBeEmptyAsync();
        await AxeAsync(anonymous, "sign-in, refused", found);
        await VisitAndAxeAsync(anonymous, "/Media", "media, signed out", found);
        await VisitAndAxeAsync(anonymous, "/Error", "error page", found);

        string email = await SignUpAsync(signedIn);
        await AxeAsync(signedIn, "my files, empty", found);
        await ScreenshotAsync(signedIn, $"axe-{screen}-my-files-empty");
        var row = await UploadAsync(signedIn, "Project plan.pdf", TestFiles.RandomBytes(245_000), "application/pdf");
        using (var user = await _app.LogInAsync(email))
        {
            await user.UploadFileAsync("Budget 2026.xlsx", TestFiles.RandomBytes(38_500));
            await user.UploadMediaAsync("sunrise.png", TestFiles.Png(320, 200, (250, 180, 80), (220, 70, 90)), "image/png");
            await user.UploadMediaAsync("readme.txt", TestFiles.Text("media"), "text/plain");
        }

        await signedIn.ReloadAsync();
        await AxeAsync(signedIn, "my files, two files", found);
        await row.GetByRole(AriaRole.Button, new() { Name = "Share link" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Textbox, new() { Name = "Share link" })).ToBeVisibleAsync();
        await AxeAsync(signedIn, "my files, share link shown", found);
        await ScreenshotAsync(signedIn, $"axe-{screen}-my-files-share-link");
        signedIn.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await Row(signedIn, "Budget 2026.xlsx").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(signedIn.Locator(".notice")).ToBeVisibleAsync();
        await AxeAsync(signedIn, "my files, after a delete", found);

        await VisitAndAxeAsync(signedIn, "/Media", "media, signed in with items", found);
        await signedIn.Locator(".dropzone input[type=file]").SetInputFilesAsync(new FilePayload { Name = "tool.exe", MimeType = "application/x-msdownload", Buffer = TestFiles.RandomBytes(1000) });
        await Expect(signedIn.Locator(".errors")).Not.ToBeEmptyAsync();
        await AxeAsync(signedIn, "media, upload refused", found);
        await ScreenshotAsync(signedIn, $"axe-{screen}-media-upload-refused");

        Assert.True(found.Count == 0, $"axe-core found {found.Count} violation(s) on a {screen} screen:{Environment.NewLine}{string.Join(Environment.NewLine, found)}");
    }
}
