using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Coffer.Tests.DependencyInjection;

/// <summary>AddCofferStorageChecks on local disk, and on a storage that hangs.</summary>
public sealed class HealthCheckTests : IDisposable
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(500);

    // Generous for a loaded machine; without the check's own timeout, a hung store holds the check forever.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder = new();
    private readonly ManualResetEventSlim _release = new();

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
        _folder.Dispose();
    }

    private IHost NewHost(Dictionary<string, string?> settings, Action<CofferHealthCheckOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder.Path });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCoffer(builder.Configuration)
            .AddBackend<FileStorageOptions>("Hung", (_, name, options) => new HungStorage(name, options, _release));
        builder.Services.AddHealthChecks().AddCofferStorageChecks(configure);
        return builder.Build();
    }

    private static Task<HealthReport> CheckAsync(IHost host) => host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task Each_storage_has_its_own_check_and_a_new_app_whose_folders_do_not_exist_yet_is_healthy()
    {
        using var host = NewHost([]);

        var report = await CheckAsync(host);

        Assert.Equal(["storage:private", "storage:public"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(report.Entries.Values, entry => Assert.Equal(HealthStatus.Healthy, entry.Status));
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "App_Data", "coffer", "private")), "a read check creates nothing");
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_because_a_file_is_in_the_way_is_unhealthy_and_names_the_file()
    {
        string file = Path.Combine(_folder.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");
        using var host = NewHost(new() { ["Coffer:Storages:private:RootPath"] = Path.Combine(file, "media") });

        var entry = (await CheckAsync(host)).Entries["storage:private"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal($"Storage 'private': its folder cannot be created, because '{file}' is a file. Move the file, or fix RootPath and Location.", entry.Description);
    }

    [Fact]
    public async Task A_folder_nothing_can_be_written_to_is_healthy_to_the_read_check_and_unhealthy_to_the_write_check()
    {
        // /proc exists, and not even root can create a file in it (chmod would not stop root, who runs CI).
        var settings = new Dictionary<string, string?> { ["Coffer:Storages:private:RootPath"] = "/proc/coffer-health-test" };
        using var reading = NewHost(settings);
        using var writing = NewHost(settings, o => o.CheckWrite = true);

        var read = (await CheckAsync(reading)).Entries["storage:private"];
        var write = (await CheckAsync(writing)).Entries["storage:private"];

        Assert.Equal(HealthStatus.Healthy, read.Status);
        Assert.Equal(HealthStatus.Unhealthy, write.Status);
        Assert.Contains("/proc/coffer-health-test", write.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_write_check_saves_its_probe_and_deletes_it_leaving_no_file()
    {
        using var host = NewHost([], o => o.CheckWrite = true);

        var report = await CheckAsync(host);

        Assert.All(report.Entries.Values, entry => Assert.Equal(HealthStatus.Healthy, entry.Status));
        string root = Path.Combine(_folder.Path, "App_Data", "coffer", "private");
        Assert.True(Directory.Exists(root), "the probe was written");
        Assert.Empty(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_storage_that_blocks_its_thread_and_ignores_cancellation_is_unhealthy_within_the_timeout()
    {
        using var host = NewHost(new() { ["Coffer:Storages:archive:Backend"] = "Hung" }, o => o.Timeout = ShortTimeout);

        var watch = Stopwatch.StartNew();
        var report = await CheckAsync(host).WaitAsync(Bound);
        watch.Stop();

        var entry = report.Entries["storage:archive"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Storage 'archive' did not answer within 0.5 s.", entry.Description);
        Assert.Equal(HealthStatus.Healthy, report.Entries["storage:private"].Status);
        Assert.True(watch.Elapsed < Bound, $"the check took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_second_check_while_the_first_probe_still_hangs_waits_for_it_instead_of_blocking_another_thread()
    {
        using var host = NewHost(new() { ["Coffer:Storages:archive:Backend"] = "Hung" }, o => o.Timeout = ShortTimeout);
        var storage = (HungStorage)host.Services.GetRequiredService<IFileStorageProvider>().GetStorage("archive");

        await CheckAsync(host);
        var second = (await CheckAsync(host)).Entries["storage:archive"];

        Assert.Equal(HealthStatus.Unhealthy, second.Status);
        Assert.Equal(1, storage.Probes);
    }

    [Fact]
    public async Task Name_prefix_tags_and_failure_status_are_those_configured()
    {
        using var host = NewHost(new() { ["Coffer:Storages:archive:Backend"] = "Hung" }, o =>
        {
            o.Timeout = ShortTimeout;
            o.NamePrefix = "files-";
            o.FailureStatus = HealthStatus.Degraded;
            o.Tags.Add("ready");
        });

        var report = await CheckAsync(host);

        Assert.Equal(["files-archive", "files-private", "files-public"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HealthStatus.Degraded, report.Entries["files-archive"].Status);
        Assert.All(report.Entries.Values, entry => Assert.Equal(["ready"], entry.Tags));
    }

    [Fact]
    public void A_timeout_that_is_not_positive_is_refused_naming_the_setting()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddHealthChecks().AddCofferStorageChecks(o => o.Timeout = TimeSpan.Zero));

        Assert.StartsWith("Property Timeout: must be positive and finite", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A store that blocks the calling thread until released, whatever its token says (a dead network mount).</summary>
    private sealed class HungStorage(string name, FileStorageOptions options, ManualResetEventSlim release)
        : FileStorage<FileStorageOptions>(name, options, new FileStorageOptionsValidator<FileStorageOptions>(), null, null)
    {
        private int _probes;

        public int Probes => Volatile.Read(ref _probes);

        protected override Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            release.Wait(CancellationToken.None);
            return Task.FromResult(false);
        }

        protected override Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task DeleteCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry) => throw new NotSupportedException();
    }
}
