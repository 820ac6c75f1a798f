using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Coffer.Packaging.Tests.Infrastructure;

namespace Coffer.Packaging.Tests;

/// <summary>The README's quick starts, built from the packages into new apps, run and driven as a user would.</summary>
[Collection(PackagedAppsGroup.Name)]
public sealed class QuickStartAppTests(PackagedApps apps)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_web_quick_start_saves_an_upload_serves_it_through_a_signed_url_only_and_is_healthy()
    {
        int port = FreePort();
        using var app = Dotnet.Start(apps.Web, out string log, PackagedApps.AppDll(apps.Web), "--urls", $"http://127.0.0.1:{port}");
        try
        {
            await Dotnet.WaitForOutputAsync(app, log, "Now listening on", StartTimeout);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent("quarterly numbers"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(file, "file", "report.txt");
            using var saved = await http.PostAsync("/files", form);
            Assert.True(saved.IsSuccessStatusCode, $"{saved.StatusCode}: {await saved.Content.ReadAsStringAsync()}");
            var body = await saved.Content.ReadFromJsonAsync<Saved>();

            Assert.StartsWith($"files/{DateTime.UtcNow:yyyy}/", body!.Name, StringComparison.Ordinal);
            Assert.StartsWith($"/coffer/private/{body.Name}?exp=", body.Url, StringComparison.Ordinal);
            Assert.Equal("quarterly numbers", await http.GetStringAsync(body.Url));
            using var unsigned = await http.GetAsync(body.Url.Split('?')[0]);
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
            Assert.Equal("Healthy", await http.GetStringAsync("/healthz")); // the storage checks, from the packages
        }
        finally
        {
            app.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task The_worker_quick_start_registers_storages_from_appsettings_and_sweeps_once_at_start()
    {
        // What uploads killed two days ago left in "private" (a default) and in "exports" (from appsettings.json only);
        // the quick start's grace period is one day.
        string[] leftovers = [Leftover("private"), Leftover("exports")];

        using var app = Dotnet.Start(apps.Worker, out string log, PackagedApps.AppDll(apps.Worker));
        try
        {
            await Dotnet.WaitForOutputAsync(app, log, "Sweeper: storage private: 1 leftovers of unfinished uploads removed", StartTimeout);
            string output = await Dotnet.WaitForOutputAsync(app, log, "Sweeper: storage exports: 1 leftovers of unfinished uploads removed", StartTimeout);

            Assert.All(leftovers, leftover => Assert.False(File.Exists(leftover)));
            Assert.Contains("Application started", output, StringComparison.Ordinal);
        }
        finally
        {
            app.Kill(entireProcessTree: true);
        }
    }

    private string Leftover(string storage)
    {
        string folder = Path.Combine(apps.Worker, "App_Data", "coffer", storage, "files");
        Directory.CreateDirectory(folder);
        string leftover = Path.Combine(folder, $".coffer-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(leftover, "half an upload");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddDays(-2));
        return leftover;
    }

    [Fact]
    public async Task The_console_quick_start_saves_a_file_and_prints_its_public_url()
    {
        string input = Path.Combine(apps.Console, "hello.txt");
        await File.WriteAllTextAsync(input, "hello from a console");

        string output = await Dotnet.RunAsync(apps.Console, StartTimeout, PackagedApps.AppDll(apps.Console), input);

        Assert.Equal("https://files.example.com/exports/hello.txt", output.Trim());
        Assert.Equal("hello from a console", await File.ReadAllTextAsync(Path.Combine(apps.Console, "data", "hello.txt")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Saved(string Name, string Url);
}
