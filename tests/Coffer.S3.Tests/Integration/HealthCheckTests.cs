using System.Diagnostics;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Coffer.S3.Tests.Integration;

/// <summary>AddCofferStorageChecks on the real RGW: what a healthy bucket, a missing one, a wrong key and a hung store report.</summary>
public sealed class HealthCheckTests(S3Server server, ITestOutputHelper output) : S3TestBase(server)
{
    private const string Check = "storage:media";

    // Generous for a loaded machine; the check's own timeout is 2 s.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private async Task<HealthReportEntry> CheckAsync(Action<Dictionary<string, string?>>? adjust = null, bool checkWrite = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Coffer:Storages:media:Backend"] = "S3",
            ["Coffer:Storages:media:BucketName"] = Bucket,
            ["Coffer:Storages:media:ServiceUrl"] = Server.Endpoint,
            ["Coffer:Storages:media:AccessKey"] = Server.AccessKey,
            ["Coffer:Storages:media:SecretKey"] = Server.SecretKey,
        };
        adjust?.Invoke(settings);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCoffer(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).AddS3();
        services.AddHealthChecks().AddCofferStorageChecks(o =>
        {
            o.Timeout = TimeSpan.FromSeconds(2);
            o.CheckWrite = checkWrite;
        });
        await using var provider = services.BuildServiceProvider();

        var watch = Stopwatch.StartNew();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == Check).WaitAsync(Bound);
        var entry = report.Entries[Check];
        output.WriteLine($"{entry.Status} after {watch.Elapsed.TotalSeconds:F2} s: {entry.Description}");
        return entry;
    }

    [Fact]
    public async Task A_bucket_that_exists_with_the_right_keys_is_healthy_and_the_write_check_leaves_no_object()
    {
        var read = await CheckAsync();
        var write = await CheckAsync(checkWrite: true);

        Assert.Equal(HealthStatus.Healthy, read.Status);
        Assert.Equal(HealthStatus.Healthy, write.Status);
        var objects = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Empty(objects.S3Objects ?? []);
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_is_unhealthy_and_says_so()
    {
        var entry = await CheckAsync(s => s["Coffer:Storages:media:BucketName"] = "coffer-no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("the bucket 'coffer-no-such-bucket-", entry.Description, StringComparison.Ordinal);
        Assert.Contains("does not exist", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_key_is_unhealthy_as_refused_credentials_without_the_key()
    {
        const string wrong = "wrong-secret-key-0000000000000000000000000";
        var entry = await CheckAsync(s => s["Coffer:Storages:media:SecretKey"] = wrong);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("403 Forbidden (SignatureDoesNotMatch)", entry.Description, StringComparison.Ordinal);
        Assert.Contains("check SecretKey", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.AccessKey, entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_store_is_unhealthy_within_the_checks_timeout_though_its_request_timeout_is_longer()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        proxy.Hang();
        var watch = Stopwatch.StartNew();

        var entry = await CheckAsync(s =>
        {
            s["Coffer:Storages:media:ServiceUrl"] = proxy.Endpoint;
            s["Coffer:Storages:media:RequestTimeout"] = "00:01:00";
        });

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Storage 'media' did not answer within 2 s.", entry.Description);
        Assert.True(watch.Elapsed < Bound, $"the check took {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
