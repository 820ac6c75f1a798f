using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coffer.Tests.DependencyInjection;

/// <summary>AddCofferSweeper: a hosted service that sweeps every storage for leftovers of unfinished uploads.</summary>
public sealed class SweeperTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LogSink _logs = new();

    public void Dispose() => _folder.Dispose();

    private IHost NewHost(Dictionary<string, string?> settings, Action<CofferSweeperOptions>? configure = null, Action<ICofferBuilder>? coffer = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder.Path });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug);
        coffer?.Invoke(builder.Services.AddCoffer(builder.Configuration));
        builder.Services.AddCofferSweeper(configure);
        return builder.Build();
    }

    /// <summary>What a process killed mid-save leaves: a temporary file beside where the file was going.</summary>
    private string Leftover(string storage, TimeSpan age)
    {
        string folder = Path.Combine(_folder.Path, "App_Data", "coffer", storage, "files");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $".coffer-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private async Task<(string Category, EventId EventId, LogLevel Level, string Message, Exception? Exception)> WaitForLogAsync(int eventId, string storage)
    {
        for (int i = 0; i < 500; i++)
        {
            if (_logs.Entries.FirstOrDefault(e => e.EventId.Id == eventId && e.Message.Contains($"storage {storage}", StringComparison.Ordinal)) is { Message: not null } entry)
            {
                return entry;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No log event {eventId} for storage {storage}; logged: {string.Join(" | ", _logs.Entries.Select(e => e.Message))}");
    }

    [Fact]
    public async Task The_sweeper_removes_leftovers_older_than_the_grace_period_when_the_host_starts_and_logs_them()
    {
        string old = Leftover("private", TimeSpan.FromHours(3));
        string recent = Leftover("public", TimeSpan.FromMinutes(5));
        using var host = NewHost(new() { ["Coffer:Sweeper:GracePeriod"] = "01:00:00" });

        await host.StartAsync();
        var done = await WaitForLogAsync(1007, "private");
        await WaitForLogAsync(1008, "public");
        await host.StopAsync();

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
        Assert.Contains("1 leftovers of unfinished uploads removed", done.Message, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1005 && e.Message.Contains(Path.GetFileName(old), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dry_run_removes_nothing_and_logs_what_it_found()
    {
        string old = Leftover("private", TimeSpan.FromDays(2));
        using var host = NewHost([], o => o.DryRun = true);

        await host.StartAsync();
        var done = await WaitForLogAsync(1007, "private");
        await host.StopAsync();

        Assert.True(File.Exists(old));
        Assert.Contains("1 leftovers of unfinished uploads found (dry run)", done.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_named_storages_are_swept()
    {
        string inPrivate = Leftover("private", TimeSpan.FromDays(2));
        string inPublic = Leftover("public", TimeSpan.FromDays(2));
        using var host = NewHost(new() { ["Coffer:Sweeper:Storages:0"] = "public" });

        await host.StartAsync();
        await WaitForLogAsync(1007, "public");
        await host.StopAsync();

        Assert.True(File.Exists(inPrivate));
        Assert.False(File.Exists(inPublic));
    }

    [Fact]
    public async Task A_storage_that_cannot_be_swept_is_logged_and_the_others_are_still_swept()
    {
        string old = Leftover("public", TimeSpan.FromDays(2));
        using var host = NewHost(
            new() { ["Coffer:Storages:archive:Backend"] = "Unreachable" },
            coffer: c => c.AddBackend<FileStorageOptions>("Unreachable", (_, name, options) => new UnreachableStorage(name, options)));

        await host.StartAsync();
        var failed = await WaitForLogAsync(1009, "archive");
        await WaitForLogAsync(1007, "public");
        await host.StopAsync();

        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.IsType<StorageUnavailableException>(failed.Exception);
        Assert.False(File.Exists(old));
    }

    [Fact]
    public async Task Bad_sweeper_settings_fail_start_up_naming_each_key()
    {
        using var host = NewHost(new()
        {
            ["Coffer:Sweeper:Interval"] = "00:00:00",
            ["Coffer:Sweeper:GracePeriod"] = "-01:00:00",
            ["Coffer:Sweeper:Storages:0"] = "nope",
            ["Coffer:Sweeper:Intervall"] = "01:00:00",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Sweeper:Interval: must be positive", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Sweeper:GracePeriod: must not be negative", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Sweeper:Storages: no storage is named 'nope'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Coffer:Sweeper:Intervall: is not a setting of the sweeper", StringComparison.Ordinal));
    }

    [Fact]
    public void AddCofferSweeper_twice_adds_one_hosted_service()
    {
        var services = new ServiceCollection();
        services.AddCofferSweeper();
        services.AddCofferSweeper();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    /// <summary>A store that cannot be reached: every sweep fails as S3 does when the server is down.</summary>
    private sealed class UnreachableStorage(string name, FileStorageOptions options)
        : FileStorage<FileStorageOptions>(name, options, new FileStorageOptionsValidator<FileStorageOptions>(), null, null)
    {
        protected override Task<IReadOnlyList<string>> SweepUnfinishedCoreAsync(DateTimeOffset startedBefore, bool dryRun, CancellationToken cancellationToken) =>
            throw new StorageUnavailableException(Name, "The store did not answer.");

        protected override Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task DeleteCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry) => throw new NotSupportedException();
    }
}
