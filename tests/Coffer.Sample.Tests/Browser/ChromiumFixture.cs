using Microsoft.Playwright;

namespace Coffer.Sample.Tests.Browser;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright's driver from the NuGet package (copied to the build output
/// under <c>.playwright/</c>). Playwright never downloads a browser here: it is given the executable's path.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string DefaultPath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string path = Environment.GetEnvironmentVariable("COFFER_CHROMIUM") is { Length: > 0 } value ? value : DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Chromium is not installed at '{path}' (COFFER_CHROMIUM): run scripts/browser.sh start.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = path, Headless = true, Args = Arguments });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
