namespace Coffer;

/// <summary>
/// Where direct uploads are recorded as pending before their first byte, so that one never committed is found and
/// removed by a sweep whose cost grows with pending uploads, not with the bucket. Coffer.EntityFrameworkCore's file
/// ledger is one (<c>services.AddCofferFileLedger&lt;TContext&gt;()</c>).
/// </summary>
public interface IPendingUploadLedger
{
    /// <summary>
    /// Records an upload of <paramref name="name"/> to <paramref name="storage"/>, committed on its own, before any byte
    /// is sent. The sweep may remove the object and its parts once <paramref name="dueAt"/> has passed.
    /// </summary>
    /// <param name="storage">The storage's name.</param>
    /// <param name="name">The stored name, with the storage's random token (it belongs to this upload alone).</param>
    /// <param name="dueAt">When the upload is abandoned if it has not been committed.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The entry's key and its due time as stored: what the commit removes, and its concurrency token.</returns>
    Task<PendingUploadEntry> RecordAsync(string storage, string name, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a pending entry over for an abort: makes it due now, on condition that it is unchanged, so a commit (which
    /// needs it unchanged) can no longer succeed, and the sweep finishes the abort if this one fails.
    /// </summary>
    /// <param name="entry">The entry, with the due time its ticket carries.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the entry is gone or changed: committed, swept, or taken over already.</returns>
    Task<bool> TryAbandonAsync(PendingUploadEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes an entry whose upload was aborted and is gone from the store.</summary>
    /// <param name="id">The entry's key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task ForgetAsync(long id, CancellationToken cancellationToken);
}

/// <summary>A pending upload's entry in a <see cref="IPendingUploadLedger"/>.</summary>
/// <param name="Id">The entry's key.</param>
/// <param name="DueAt">Its due time as stored (UTC, whole milliseconds).</param>
public readonly record struct PendingUploadEntry(long Id, DateTime DueAt);
