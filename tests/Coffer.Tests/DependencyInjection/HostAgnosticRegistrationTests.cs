using Coffer.DependencyInjection;
using Coffer.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coffer.Tests.DependencyInjection;

/// <summary>AddCoffer in the core package: a worker or console host registers storages from configuration without ASP.NET Core.</summary>
public sealed class HostAgnosticRegistrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private HostApplicationBuilder NewHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder.Path });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public async Task A_generic_host_registers_configured_storages_as_keyed_services_and_signs_with_the_generated_key()
    {
        var builder = NewHost(new() { ["Coffer:Storages:invoices:MaxFileSize"] = "1000" });
        builder.Services.AddCoffer(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var invoices = Assert.IsType<LocalFileStorage>(host.Services.GetRequiredKeyedService<FileStorage>("invoices"));
        Assert.Equal(1000, invoices.Options.MaxFileSize);
        Assert.Equal(Path.Combine(_folder.Path, "App_Data", "coffer", "invoices"), invoices.RootDirectory);
        Assert.Equal(["invoices", "private", "public"], host.Services.GetRequiredService<IFileStorageProvider>().Names.Order(StringComparer.Ordinal));

        string name = await invoices.SaveAsync("a.txt", new MemoryStream("hello"u8.ToArray()));
        string url = invoices.GetUrl(name).Url;
        Assert.StartsWith($"/coffer/invoices/{name}?exp=", url, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "App_Data", "coffer", CofferPaths.SigningKeyFileName)));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_setting_fails_the_generic_host_start_naming_its_configuration_key()
    {
        var builder = NewHost(new() { ["Coffer:Storages:private:UrlExpiry"] = "-00:01:00", ["Coffer:Storages:private:Colour"] = "blue" });
        builder.Services.AddCoffer(builder.Configuration);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Storages:private:Colour: is not a setting", StringComparison.Ordinal));
    }

    [Fact]
    public void The_core_package_references_no_ASP_NET_Core_assembly()
    {
        var references = typeof(CofferServiceCollectionExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Microsoft.Extensions.Hosting.Abstractions", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void AddCoffer_twice_registers_each_service_once()
    {
        var services = new ServiceCollection();

        var first = services.AddCoffer();
        int count = services.Count;
        var second = services.AddCoffer();

        Assert.Equal(count, services.Count);
        Assert.Same(services, second.Services);
        Assert.Single(services, d => d.ServiceType == typeof(CofferBackend));
        Assert.Same(first.Services, second.Services);
    }

    [Fact]
    public void Failures_of_the_core_validator_are_renamed_to_configuration_keys()
    {
        Assert.Equal("Coffer:Storages:x:UrlExpiry: must be positive.", CofferStorageSet.NameKey("Coffer:Storages:x", new FileStorageOptionsFailure("UrlExpiry", "must be positive.")));
        Assert.Equal("Coffer:Storages:x: something else.", CofferStorageSet.NameKey("Coffer:Storages:x", new FileStorageOptionsFailure(null, "something else.")));
    }

    [Fact]
    public void Settings_added_per_storage_are_bound_from_its_section_and_their_keys_accepted()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coffer:Storages:private:Thumbnails"] = "3",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new FixedEnvironment(_folder.Path));
        services.AddCoffer(configuration).AddStorageSettings<ThumbnailSettings>();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(3, provider.GetRequiredService<IOptionsMonitor<ThumbnailSettings>>().Get("private").Thumbnails);
        Assert.NotNull(provider.GetRequiredKeyedService<FileStorage>("private"));
    }

    private sealed class ThumbnailSettings
    {
        public int Thumbnails { get; set; }
    }

    private sealed class FixedEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "Test";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
