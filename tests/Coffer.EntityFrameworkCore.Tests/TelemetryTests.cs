using System.Collections.Concurrent;
using System.Diagnostics;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>The spans and counters of the EF package, under Coffer's names, with storage names and counts but no file names.</summary>
public sealed class TelemetryTests : IClassFixture<SqliteLocalFixture>, IDisposable
{
    private readonly SqliteLocalFixture _fixture;
    private readonly string _folder = "tel" + Guid.NewGuid().ToString("N")[..10];
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public TelemetryTests(SqliteLocalFixture fixture)
    {
        _fixture = fixture;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CofferDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task A_save_its_cleanup_and_the_ledger_sweep_are_spans_and_the_sweep_counts_what_it_did()
    {
        using var swept = new MetricCollector<long>(null, CofferDiagnostics.MeterName, "coffer.ledger.entries.swept");
        var document = new Document { Folder = _folder, Title = _folder, File = StoredFile.FromStream(TestContent.Text("v1"), "secret-name.txt") };
        await using (var db = _fixture.CreateContext())
        {
            db.Add(document);
            await db.SaveChangesAsync();
            document.File = StoredFile.FromStream(TestContent.Text("v2"), "secret-name-2.txt");
            await db.SaveChangesAsync(); // the old file is deleted after the commit
        }

        // A delete committed where Coffer cannot see it stays owed, and the sweep does it.
        await using (var db = _fixture.CreateContext())
        {
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
            await db.Database.UseTransactionAsync(transaction);
            db.Remove(await db.Documents.SingleAsync(d => d.Id == document.Id));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await using (var db = _fixture.CreateContext())
        {
            await db.SweepFileLedgerAsync();
        }

        var spans = _activities.ToList();
        // Other test classes run at the same time, so the spans are looked for, not counted.
        Assert.Contains(spans, a => a.OperationName == "coffer.ef.save" && a.GetTagItem("coffer.ef.uploads") is 1 && a.GetTagItem("coffer.ef.old_files") is 1);
        Assert.Contains(spans, a => a.OperationName == "coffer.ef.cleanup");
        Assert.Contains(spans, a => a.OperationName == "coffer.ledger.sweep" && a.GetTagItem("coffer.ledger.done") is >= 1);
        Assert.DoesNotContain(spans, a => a.Tags.Any(t => t.Value?.Contains("secret-name", StringComparison.Ordinal) == true));
        Assert.Contains(swept.GetMeasurementSnapshot(), m => m.Value == 1
            && m.Tags["coffer.storage.name"] is "private" && m.Tags["coffer.ledger.state"] is "deleting" && m.Tags["coffer.outcome"] is "success");
    }

    public void Dispose() => _listener.Dispose();
}
