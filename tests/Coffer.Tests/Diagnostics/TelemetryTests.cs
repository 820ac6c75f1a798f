using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coffer.Local;
using Coffer.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace Coffer.Tests.Diagnostics;

/// <summary>The Coffer ActivitySource and Meter, seen as an OpenTelemetry SDK would see them.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    // Other test classes run in parallel and use storages too: every test looks only at its own storage's spans.
    private readonly string _storage = "telemetry-" + Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private readonly IHost _host;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CofferDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("coffer.storage.name"), _storage) || activity.OperationName == "coffer.sweeper.run")
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder.Path });
        builder.Services.AddCoffer().AddLocalStorage(_storage, o => o.Location = _storage);
        _host = builder.Build();
    }

    public void Dispose()
    {
        _host.Dispose();
        _listener.Dispose();
        _folder.Dispose();
    }

    private FileStorage Storage => _host.Services.GetRequiredKeyedService<FileStorage>(_storage);

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(_host.Services.GetRequiredService<IMeterFactory>(), CofferDiagnostics.MeterName, instrument);

    private static MemoryStream Content(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Each_storage_operation_is_a_span_with_its_storage_backend_and_outcome_but_no_file_name()
    {
        string stored = await Storage.SaveAsync("secret-report.pdf", Content("hello"));
        await using (var stream = await Storage.OpenReadAsync(stored))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        await Storage.ExistsAsync(stored);
        await Storage.GetInfoAsync(stored);
        await Storage.ListAsync("");
        await Storage.DeleteAsync(stored);

        Assert.Equal(
            ["coffer.storage.save", "coffer.storage.open", "coffer.storage.exists", "coffer.storage.info", "coffer.storage.list", "coffer.storage.delete"],
            _spans.Select(s => s.OperationName));
        foreach (var span in _spans)
        {
            Assert.Equal("Local", span.GetTagItem("coffer.storage.backend"));
            Assert.Equal("success", span.GetTagItem("coffer.outcome"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.DoesNotContain(span.TagObjects, tag => tag.Value is string text && text.Contains("secret-report", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_failed_operation_is_an_error_span_and_is_counted_by_its_error_type()
    {
        using var errors = Collect<long>("coffer.storage.errors");
        using var durations = Collect<double>("coffer.storage.operation.duration");

        await Assert.ThrowsAsync<FileNotFoundException>(() => Storage.OpenReadAsync("files/missing.txt"));

        var span = Assert.Single(_spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.IO.FileNotFoundException", span.GetTagItem("error.type"));
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal(1, error.Value);
        Assert.Equal("open", error.Tags["coffer.operation"]);
        Assert.Equal("System.IO.FileNotFoundException", error.Tags["error.type"]);
        var duration = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.Equal("failure", duration.Tags["coffer.outcome"]);
    }

    [Fact]
    public async Task Durations_and_bytes_are_measured_through_the_hosts_meter_factory()
    {
        using var durations = Collect<double>("coffer.storage.operation.duration");
        using var written = Collect<long>("coffer.storage.bytes.written");
        using var read = Collect<long>("coffer.storage.bytes.read");
        using var active = Collect<long>("coffer.storage.uploads.active");

        string stored = await Storage.SaveAsync("a.txt", Content("twelve bytes"));
        await using (var stream = await Storage.OpenReadAsync(stored))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        var measured = durations.GetMeasurementSnapshot();
        Assert.Equal(["save", "open"], measured.Select(m => m.Tags["coffer.operation"]));
        Assert.All(measured, m =>
        {
            Assert.Equal(_storage, m.Tags["coffer.storage.name"]);
            Assert.Equal("Local", m.Tags["coffer.storage.backend"]);
            Assert.Equal("success", m.Tags["coffer.outcome"]);
            Assert.InRange(m.Value, 0, 60);
        });
        Assert.Equal(12, written.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(12, read.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal([1, -1], active.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public void Signed_urls_are_counted_by_storage()
    {
        using var signed = Collect<long>("coffer.storage.urls.signed");

        Storage.GetUrl("files/a.txt");
        Storage.GetUrl("files/b.txt");

        Assert.Equal(2, signed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(signed.GetMeasurementSnapshot(), m => Assert.Equal(_storage, m.Tags["coffer.storage.name"]));
    }

    [Fact]
    public async Task A_sweep_is_a_span_and_counts_the_leftovers_it_removed()
    {
        using var removed = Collect<long>("coffer.storage.unfinished_uploads.removed");
        string folder = Path.Combine(_folder.Path, "App_Data", "coffer", _storage, "files");
        Directory.CreateDirectory(folder);
        foreach (int i in new[] { 1, 2 })
        {
            string leftover = Path.Combine(folder, $".coffer-{Guid.NewGuid():N}.tmp");
            File.WriteAllText(leftover, "half an upload");
            File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - TimeSpan.FromHours(i + 2));
        }

        await Storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1), dryRun: true);
        await Storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1));

        Assert.Equal(2, Assert.Single(removed.GetMeasurementSnapshot()).Value);
        Assert.Equal(["coffer.storage.sweep", "coffer.storage.sweep"], _spans.Select(s => s.OperationName));
        Assert.All(_spans, s => Assert.Equal(2L, s.GetTagItem("coffer.bytes")));
    }

    [Fact]
    public void Storages_built_without_a_container_use_the_shared_meter()
    {
        using var signed = new MetricCollector<long>(null, CofferDiagnostics.MeterName, "coffer.storage.urls.signed");
        var storage = new LocalFileStorage(_storage, new LocalFileStorageOptions
        {
            RootPath = _folder.Path,
            BaseUrl = "/files/",
            SigningKeys = { UrlSigningKey.Generate("k1") },
        });

        storage.GetUrl("files/a.txt");

        Assert.Contains(signed.GetMeasurementSnapshot(), m => Equals(m.Tags["coffer.storage.name"], _storage));
    }
}
