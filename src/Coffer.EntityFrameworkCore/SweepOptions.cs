namespace Coffer.EntityFrameworkCore;

/// <summary>Settings of one sweep for orphaned files.</summary>
public sealed class SweepOptions
{
    /// <summary>
    /// How old an unreferenced file must be before it is deleted. It must be longer than the longest time between an
    /// upload and the commit of its row (a long transaction, a slow request), or the sweeper can delete a file whose
    /// row is about to commit. Default: 1 day.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Whether to only report what would be deleted. Default: <see langword="false"/>.</summary>
    public bool DryRun { get; set; }

    /// <summary>The folder of the storage to sweep (<c>"files"</c>), or <c>""</c> for all of it. Default: <c>""</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>How many names are checked against the database per query. Default: 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The clock the grace period is measured with; <see langword="null"/> for the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }
}

/// <summary>What a sweep found and did.</summary>
/// <param name="DryRun">Whether this was a dry run (nothing was deleted).</param>
/// <param name="Listed">How many files the storage listed.</param>
/// <param name="Referenced">How many of them a row references (kept).</param>
/// <param name="Deleted">The orphans deleted, or, in a dry run, those that would be.</param>
/// <param name="TooRecent">Orphans kept because they are younger than the grace period (their rows may not have committed yet).</param>
/// <param name="Failed">Orphans whose deletion failed (logged; the next sweep tries again).</param>
/// <param name="Unfinished">Leftovers of uploads that never finished (temporary files, S3 reservations and multipart uploads) older than the grace period, removed or, in a dry run, found.</param>
public sealed record SweepResult(
    bool DryRun,
    int Listed,
    int Referenced,
    IReadOnlyList<string> Deleted,
    IReadOnlyList<string> TooRecent,
    IReadOnlyList<string> Failed,
    IReadOnlyList<string> Unfinished);

/// <summary>What a sweep of the file ledger did.</summary>
/// <param name="Done">Entries whose duty was done (the object deleted) and that were removed.</param>
/// <param name="Failed">Entries whose attempt failed; they stay owed, with their next due time and error.</param>
public sealed record FileLedgerSweepResult(IReadOnlyList<FileLedgerEntry> Done, IReadOnlyList<FileLedgerEntry> Failed);
