using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Coffer.AspNetCore.Tests;

public class EmbeddedDefaultTests
{
    private static string KeyFile(string contentRoot) => Path.Combine(contentRoot, "App_Data", "coffer", "url-signing-key.json");

    [Fact]
    public async Task The_signing_key_is_generated_once_and_a_url_from_one_app_instance_works_in_the_next()
    {
        using var root = new TempFolder();
        string url;
        string keyFileContent;
        await using (var first = await TestApp.StartAsync(contentRoot: root.Path))
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes("kept"));
            string name = await first.Storage("private").SaveAsync("kept.txt", content);
            url = first.Storage("private").GetUrl(name).Url;
            keyFileContent = await File.ReadAllTextAsync(KeyFile(root.Path));
        }

        await using var second = await TestApp.StartAsync(contentRoot: root.Path);
        using var response = await second.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kept", await response.Content.ReadAsStringAsync());
        Assert.Equal(keyFileContent, await File.ReadAllTextAsync(KeyFile(root.Path)));
    }

    [Fact]
    public async Task Two_instances_starting_together_on_one_folder_share_one_key()
    {
        using var root = new TempFolder();
        var started = await Task.WhenAll(
            Task.Run(() => TestApp.StartAsync(contentRoot: root.Path)),
            Task.Run(() => TestApp.StartAsync(contentRoot: root.Path)));
        await using var first = started[0];
        await using var second = started[1];
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("shared"));
        string name = await first.Storage("private").SaveAsync("shared.txt", content);

        using var response = await second.Client.GetAsync(new Uri(first.Storage("private").GetUrl(name).Url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(KeyFile(root.Path))!));
    }

    [Fact]
    public async Task The_generated_key_file_holds_a_key_id_and_a_32_byte_secret()
    {
        await using var app = await TestApp.StartAsync();

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(KeyFile(app.ContentRoot)));
        Assert.StartsWith("local-", document.RootElement.GetProperty("Id").GetString(), StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(document.RootElement.GetProperty("Secret").GetString()!).Length);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1006);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_generated_key_file_is_readable_by_its_owner_only()
    {
        Assert.False(OperatingSystem.IsWindows(), "This test checks Unix file modes.");
        await using var app = await TestApp.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile(app.ContentRoot)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(KeyFile(app.ContentRoot))!));
    }

    [Fact]
    public async Task No_key_file_is_written_when_the_private_storage_has_its_own_key()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:SigningKeys:0:Id"] = "k1",
            ["Coffer:Storages:private:SigningKeys:0:Secret"] = Convert.ToBase64String(new byte[32]),
        });

        Assert.False(File.Exists(KeyFile(app.ContentRoot)));
        Assert.Contains("kid=k1", app.Storage("private").GetUrl("a.txt").Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_key_file_stops_start_up_naming_the_file()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile(root.Path))!);
        await File.WriteAllTextAsync(KeyFile(root.Path), "{ not json");
        await using var app = TestApp.Build(contentRoot: root.Path);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        string failure = Assert.Single(ex.Failures);
        Assert.StartsWith("Coffer:Storages:private:SigningKeys: none is configured, and the generated key file cannot be used. The signing key file", failure, StringComparison.Ordinal);
        Assert.Contains(KeyFile(root.Path), failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_folder_can_be_moved()
    {
        using var data = new TempFolder();
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Coffer:DataPath"] = data.Path });

        Assert.Equal(Path.Combine(data.Path, "private"), ((Coffer.Local.LocalFileStorage)app.Storage("private")).RootDirectory);
        Assert.True(File.Exists(Path.Combine(data.Path, "url-signing-key.json")));
    }
}
