using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// The spans and instruments of this package, under Coffer's source and meter names: a save's file work, the deletes
/// after a commit, and the ledger sweep. Like the core's, they carry storage names and counts, never file names, and
/// cost a field read while nobody listens. The meter is a static one: EF Core's services are not the app's container.
/// </summary>
internal static class EfTelemetry
{
    private static readonly string? Version = typeof(EfTelemetry).Assembly.GetName().Version?.ToString();
    private static readonly ActivitySource Source = new(CofferDiagnostics.ActivitySourceName, Version);
    private static readonly Meter Meter = new(CofferDiagnostics.MeterName, Version);

    /// <summary>What the ledger sweep did, by <c>coffer.ledger.state</c> (<c>deleting</c>, <c>pending</c>) and outcome.</summary>
    private static readonly Counter<long> LedgerEntries = Meter.CreateCounter<long>(
        "coffer.ledger.entries.swept", "{entry}", "File ledger entries the ledger sweep did (an old file deleted, an abandoned upload removed) or failed to do.");

    /// <summary>A span for the file work of one <c>SaveChanges</c>: its uploads before the database is written.</summary>
    public static Activity? StartSave(int uploads, int oldFiles)
    {
        var activity = Source.StartActivity("coffer.ef.save", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("coffer.ef.uploads", uploads);
            activity.SetTag("coffer.ef.old_files", oldFiles);
        }

        return activity;
    }

    /// <summary>A span for the deletes of old files after a commit.</summary>
    public static Activity? StartCleanup(int oldFiles)
    {
        var activity = Source.StartActivity("coffer.ef.cleanup", ActivityKind.Internal);
        activity?.SetTag("coffer.ef.old_files", oldFiles);
        return activity;
    }

    /// <summary>A span for one run of the ledger sweep.</summary>
    public static Activity? StartLedgerSweep() => Source.StartActivity("coffer.ledger.sweep", ActivityKind.Internal);

    public static void LedgerSwept(Activity? activity, int done, int failed)
    {
        if (activity is not null)
        {
            activity.SetTag("coffer.ledger.done", done);
            activity.SetTag("coffer.ledger.failed", failed);
        }
    }

    /// <summary>Counts one entry the sweep did or failed.</summary>
    public static void LedgerEntry(string storage, FileLedgerState state, bool done)
    {
        if (LedgerEntries.Enabled)
        {
            LedgerEntries.Add(1,
                new KeyValuePair<string, object?>("coffer.storage.name", storage),
                new KeyValuePair<string, object?>("coffer.ledger.state", state == FileLedgerState.Pending ? "pending" : "deleting"),
                new KeyValuePair<string, object?>("coffer.outcome", done ? "success" : "failure"));
        }
    }

    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            string? type = exception.GetType().FullName;
            activity.SetTag("error.type", type);
            activity.SetStatus(ActivityStatusCode.Error, type);
        }
    }
}
