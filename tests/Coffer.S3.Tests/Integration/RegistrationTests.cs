using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.S3.Tests.Integration;

public sealed class RegistrationTests(S3Server server) : S3TestBase(server)
{
    private static ServiceProvider BuildServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCoffer(configuration).AddS3();
        return services.BuildServiceProvider();
    }

    private Dictionary<string, string?> S3Settings(string storage) => new()
    {
        [$"Coffer:Storages:{storage}:Backend"] = "S3",
        [$"Coffer:Storages:{storage}:BucketName"] = Bucket,
        [$"Coffer:Storages:{storage}:ServiceUrl"] = Server.Endpoint,
        [$"Coffer:Storages:{storage}:AccessKey"] = Server.AccessKey,
        [$"Coffer:Storages:{storage}:SecretKey"] = Server.SecretKey,
        [$"Coffer:Storages:{storage}:UrlExpiry"] = "00:05:00",
    };

    [Fact]
    public async Task A_storage_configured_with_the_S3_backend_resolves_by_name_and_round_trips()
    {
        await using var services = BuildServices(S3Settings("private"));
        var storage = services.GetRequiredKeyedService<FileStorage>("private");

        string name = await storage.SaveAsync("config report.txt", new MemoryStream("from configuration"u8.ToArray()));
        var url = storage.GetUrl(name);
        using var response = await Server.Http.GetAsync(url.Url);

        Assert.IsType<S3FileStorage>(storage);
        Assert.Equal("from configuration", await response.Content.ReadAsStringAsync());
        Assert.InRange(url.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));
    }

    [Fact]
    public async Task The_request_timeout_from_configuration_gives_up_on_a_hung_store()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var settings = S3Settings("private");
        settings["Coffer:Storages:private:ServiceUrl"] = proxy.Endpoint;
        settings["Coffer:Storages:private:RequestTimeout"] = "00:00:01";
        settings["Coffer:Storages:private:ConnectTimeout"] = "00:00:02";
        await using var services = BuildServices(settings);
        var storage = (S3FileStorage)services.GetRequiredKeyedService<FileStorage>("private");
        proxy.Hang();

        // WaitAsync makes a hang (the 30 s default, or no timeout at all) a failure rather than a stuck suite.
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ExistsAsync("a.txt").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("1 s (RequestTimeout)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_S3_setting_fails_at_start_up_naming_its_configuration_key()
    {
        var settings = S3Settings("private");
        settings["Coffer:Storages:private:BucketName"] = "Not_A_Bucket";
        await using var services = BuildServices(settings);

        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredKeyedService<FileStorage>("private"));
        Assert.Contains("Coffer:Storages:private:BucketName", ex.Message, StringComparison.Ordinal);
    }
}
