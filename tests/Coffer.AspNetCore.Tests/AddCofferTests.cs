using Coffer.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coffer.AspNetCore.Tests;

public class AddCofferTests
{
    [Fact]
    public async Task No_configuration_gives_a_private_and_a_public_local_storage_under_the_content_root()
    {
        await using var app = await TestApp.StartAsync();

        var privateStorage = Assert.IsType<LocalFileStorage>(app.Storage("private"));
        var publicStorage = Assert.IsType<LocalFileStorage>(app.Storage("public"));
        Assert.Equal(FileVisibility.Private, privateStorage.Options.Visibility);
        Assert.Equal(FileVisibility.Public, publicStorage.Options.Visibility);
        Assert.Equal(Path.Combine(app.ContentRoot, "App_Data", "coffer", "private"), privateStorage.RootDirectory);
        Assert.Equal(Path.Combine(app.ContentRoot, "App_Data", "coffer", "public"), publicStorage.RootDirectory);
        Assert.Equal(["private", "public"], app.Services.GetRequiredService<IFileStorageProvider>().Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_storage_is_one_instance_as_keyed_service_and_through_the_provider()
    {
        await using var app = await TestApp.StartAsync();

        var keyed = app.Services.GetRequiredKeyedService<FileStorage>("private");
        var provided = app.Services.GetRequiredService<IFileStorageProvider>().GetStorage("private");

        Assert.Same(keyed, provided);
        Assert.Same(keyed, app.Services.GetRequiredKeyedService<FileStorage>("private"));
    }

    [Fact]
    public async Task Storage_names_match_case_insensitively_as_configuration_keys_do()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Same(app.Storage("private"), app.Storage("Private"));
    }

    [Fact]
    public async Task Keyed_service_resolves_in_a_minimal_api_handler()
    {
        await using var app = await TestApp.StartAsync(endpoints: e =>
            e.MapGet("/which", ([FromKeyedServices("public")] FileStorage storage) => storage.Name));

        Assert.Equal("public", await app.Client.GetStringAsync(new Uri("/which", UriKind.Relative)));
    }

    [Fact]
    public async Task Overwrite_in_a_private_storage_without_turning_off_unique_names_stops_the_app_naming_the_key()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:FileOverwrite"] = "true",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains("Coffer:Storages:private:FileOverwrite: cannot be on in a private storage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_settings_bind_from_configuration()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:Location"] = "secret/files",
            ["Coffer:Storages:private:FileOverwrite"] = "true",
            ["Coffer:Storages:private:UniqueNames"] = "false",
            ["Coffer:Storages:private:UrlExpiry"] = "00:05:00",
            ["Coffer:Storages:private:MaxFileSize"] = "1048576",
            ["Coffer:Storages:private:MaxNameLength"] = "255",
        });

        var options = app.Storage("private").Options;
        Assert.Equal("secret/files", options.Location);
        Assert.True(options.FileOverwrite);
        Assert.False(options.UniqueNames);
        Assert.Equal(TimeSpan.FromMinutes(5), options.UrlExpiry);
        Assert.Equal(1048576, options.MaxFileSize);
        Assert.Equal(255, options.MaxNameLength);
        Assert.Equal(Path.Combine(app.ContentRoot, "App_Data", "coffer", "secret", "files"), ((LocalFileStorage)app.Storage("private")).RootDirectory);
    }

    [Fact]
    public async Task Storages_in_configuration_come_beside_the_built_in_ones()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Coffer:Storages:avatars:Visibility"] = "Public",
        });

        var avatars = (LocalFileStorage)app.Storage("avatars");
        Assert.Equal(FileVisibility.Public, avatars.Options.Visibility);
        Assert.Equal(Path.Combine(app.ContentRoot, "App_Data", "coffer", "avatars"), avatars.RootDirectory);
        Assert.Equal(["avatars", "private", "public"], app.Services.GetRequiredService<IFileStorageProvider>().Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_relative_root_path_is_relative_to_the_content_root()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:RootPath"] = "media",
        });

        Assert.Equal(Path.Combine(app.ContentRoot, "media", "private"), ((LocalFileStorage)app.Storage("private")).RootDirectory);
    }

    [Fact]
    public async Task Environment_variables_override_appsettings()
    {
        using var root = new TempFolder();
        await File.WriteAllTextAsync(Path.Combine(root.Path, "appsettings.json"),
            """{ "Coffer": { "Storages": { "envcheck": { "Location": "from-json", "UrlExpiry": "00:10:00" } } } }""");
        Environment.SetEnvironmentVariable("Coffer__Storages__envcheck__Location", "from-env");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.Path, EnvironmentName = "Testing" });
            builder.WebHost.UseTestServer();
            builder.Services.AddCoffer(builder.Configuration);
            await using var app = builder.Build();
            app.MapCoffer();
            await app.StartAsync();

            var storage = app.Services.GetRequiredKeyedService<FileStorage>("envcheck");
            Assert.Equal("from-env", storage.Options.Location);
            Assert.Equal(TimeSpan.FromMinutes(10), storage.Options.UrlExpiry);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Coffer__Storages__envcheck__Location", null);
        }
    }

    [Fact]
    public void The_Coffer_section_itself_may_be_passed_instead_of_the_whole_configuration()
    {
        using var data = new TempFolder();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Coffer:DataPath"] = data.Path, ["Coffer:Storages:private:UrlExpiry"] = "00:03:00" })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCoffer(configuration.GetSection("Coffer"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromMinutes(3), provider.GetRequiredKeyedService<FileStorage>("private").Options.UrlExpiry);
    }

    [Fact]
    public async Task A_setting_that_fails_validation_stops_start_up_naming_its_configuration_key()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:UrlExpiry"] = "-01:00:00",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains("Coffer:Storages:private:UrlExpiry: must be positive, but is -01:00:00.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_setting_is_reported_at_once()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:MaxFileSize"] = "0",
            ["Coffer:Storages:public:BaseUrl"] = "ftp://example.com/",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains("Coffer:Storages:private:MaxFileSize: must be positive or null (no limit), but is 0.", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Storages:public:BaseUrl: must be an absolute http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_signing_key_stops_start_up_naming_its_configuration_key()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:SigningKeys:0:Id"] = "k1",
            ["Coffer:Storages:private:SigningKeys:0:Secret"] = "c2hvcnQ=",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Storages:private:SigningKeys: the secret of signing key 'k1' has 5 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_backend_stops_start_up_naming_the_key_and_the_call_that_adds_it()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:Backend"] = "S3",
            ["Coffer:Storages:private:Bucket"] = "media",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        string failure = Assert.Single(ex.Failures);
        Assert.StartsWith("Coffer:Storages:private:Backend: no storage backend is named 'S3'. Registered backends: Local.", failure, StringComparison.Ordinal);
        Assert.Contains("services.AddCoffer().AddS3()", failure, StringComparison.Ordinal);
        Assert.Contains("AddBackend", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_setting_stops_start_up_naming_it()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:UrlExpiy"] = "00:05:00",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.StartsWith("Coffer:Storages:private:UrlExpiy: is not a setting of a 'Local' storage. Its settings are: ", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_top_level_setting_stops_start_up_naming_it()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storage:private:Location"] = "x",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.StartsWith("Coffer:Storage: is not a Coffer setting.", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_stops_start_up_naming_its_key()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:UrlExpiry"] = "an hour",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains("'Coffer:Storages:private:UrlExpiry'", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_route_prefix_stops_start_up_naming_its_key()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?> { ["Coffer:RoutePrefix"] = "files" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.StartsWith("Coffer:RoutePrefix: must be a path that starts with '/'", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_storage_whose_folder_holds_a_private_one_stops_start_up()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?> { ["Coffer:Storages:public:Location"] = "" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Storages:public:Location: the public storage's folder", StringComparison.Ordinal)
            && f.Contains("holds the folder of storage 'private'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_storage_whose_folder_holds_the_signing_key_file_stops_start_up()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?> { ["Coffer:Storages:private:Location"] = "" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Storages:private:Location: the storage's folder", StringComparison.Ordinal)
            && f.Contains("url-signing-key.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_storage_name_in_configuration_stops_start_up()
    {
        await using var app = TestApp.Build(new Dictionary<string, string?> { ["Coffer:Storages:my media:Location"] = "media" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.StartsWith("Coffer:Storages:my media: 'my media' is not a valid storage name", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_added_in_code_is_configured_after_configuration()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Coffer:Storages:invoices:Location"] = "from-config", ["Coffer:Storages:invoices:UrlExpiry"] = "00:02:00" },
            services: s => s.AddCoffer().AddLocalStorage("invoices", o => o.Location = "from-code"));

        var options = app.Storage("invoices").Options;
        Assert.Equal("from-code", options.Location);
        Assert.Equal(TimeSpan.FromMinutes(2), options.UrlExpiry);
    }

    [Fact]
    public async Task A_backend_in_configuration_that_disagrees_with_code_stops_start_up()
    {
        await using var app = TestApp.Build(
            new Dictionary<string, string?> { ["Coffer:Storages:invoices:Backend"] = "Mirror" },
            services: s => s.AddCoffer()
                .AddBackend<MirrorOptions>("Mirror", (sp, name, o) => new LocalFileStorage(name, new LocalFileStorageOptions { RootPath = o.Target, Visibility = FileVisibility.Public }))
                .AddLocalStorage("invoices"));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());

        Assert.StartsWith("Coffer:Storages:invoices:Backend: configuration says 'Mirror', but code adds this storage as a 'Local' storage", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_added_in_code_builds_the_storages_that_name_it_with_its_own_settings()
    {
        using var target = new TempFolder();
        var built = new List<(string Name, MirrorOptions Options)>();
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?>
            {
                ["Coffer:Storages:mirror:Backend"] = "mirror", // backend names match case-insensitively
                ["Coffer:Storages:mirror:Target"] = target.Path,
                ["Coffer:Storages:mirror:UrlExpiry"] = "00:01:00",
            },
            services: s => s.AddCoffer().AddBackend<MirrorOptions>("Mirror", (sp, name, options) =>
            {
                built.Add((name, options));
                return new LocalFileStorage(name, new LocalFileStorageOptions { RootPath = options.Target, Location = options.Location, Visibility = FileVisibility.Public });
            }));

        var storage = Assert.IsType<LocalFileStorage>(app.Storage("mirror"));

        var (name, options) = Assert.Single(built);
        Assert.Equal("mirror", name);
        Assert.Equal(target.Path, options.Target);
        Assert.Equal("mirror", options.Location); // Coffer's defaults apply to every backend
        Assert.Equal(TimeSpan.FromMinutes(1), options.UrlExpiry);
        Assert.Equal(Path.Combine(target.Path, "mirror"), storage.RootDirectory);
    }

    [Fact]
    public async Task Asking_for_a_storage_that_does_not_exist_lists_those_that_do()
    {
        await using var app = await TestApp.StartAsync();

        var ex = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<IFileStorageProvider>().GetStorage("media"));

        Assert.StartsWith("No storage is named 'media'. Configured storages: private, public.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_storage_urls_point_at_the_MapCoffer_route()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Coffer:RoutePrefix"] = "/files" });

        Assert.StartsWith("/files/private/a.txt?exp=", app.Storage("private").GetUrl("a.txt").Url, StringComparison.Ordinal);
        Assert.Equal("/files/public/a.txt", app.Storage("public").GetUrl("a.txt").Url);
    }

    [Fact]
    public async Task A_configured_base_url_is_kept()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Coffer:Storages:public:BaseUrl"] = "https://cdn.example.com/media/" });

        Assert.Equal("https://cdn.example.com/media/a.txt", app.Storage("public").GetUrl("a.txt").Url);
    }

    public sealed class MirrorOptions : FileStorageOptions
    {
        public string Target { get; set; } = "";
    }
}
