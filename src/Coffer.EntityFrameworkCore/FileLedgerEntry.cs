using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore;

/// <summary>What Coffer still owes a storage: an object to delete, or an upload that no committed row refers to yet.</summary>
public enum FileLedgerState
{
    /// <summary>
    /// The file's row was deleted, or its field now holds another file: the object is to be deleted. Written in the
    /// same transaction as that change, so the delete is owed exactly when the change committed.
    /// </summary>
    Deleting = 1,

    /// <summary>
    /// An upload whose row has not committed yet. Written before the upload's first byte, on its own (outside the save's
    /// transaction, so a crash cannot roll it back), and removed in the same transaction as the row that refers to the file:
    /// while the entry exists, no committed row refers to the object. Once <see cref="FileLedgerEntry.NextAttemptAt"/> has
    /// passed, the ledger sweep deletes the object (if the upload got that far) and the entry.
    /// </summary>
    Pending = 2,
}

/// <summary>
/// One row of Coffer's file ledger (<see cref="CofferModelBuilderExtensions.AddCofferFileLedger"/>): an object Coffer is
/// responsible for until a commit settles it. An old file's delete (<see cref="FileLedgerState.Deleting"/>) is written in
/// the transaction of the change that makes it old; an upload (<see cref="FileLedgerState.Pending"/>) is written before its
/// first byte and removed in the transaction of the row that refers to it. So neither a store that is down, nor a crash,
/// nor a transaction committed outside EF Core can lose a duty or leave an orphan;
/// <see cref="CofferDbContextExtensions.SweepFileLedgerAsync"/> does what is still owed and removes the row once it is done.
/// The cost of that sweep grows with what is owed and pending, not with the bucket.
/// </summary>
public sealed class FileLedgerEntry
{
    /// <summary>The row's key.</summary>
    public long Id { get; set; }

    /// <summary>The storage that holds the object (<c>"private"</c>).</summary>
    public string Storage { get; set; } = "";

    /// <summary>The object's stored name, as the file field kept it.</summary>
    public string Name { get; set; } = "";

    /// <summary>What is owed.</summary>
    public FileLedgerState State { get; set; }

    /// <summary>When the change was saved (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// When the next attempt is due (UTC); for a pending upload, when it expires. An instance working on the row moves it
    /// forward first, as a lease; a commit removes a pending entry only if it still holds the value the upload read, so an
    /// upload the sweep has taken over can no longer commit.
    /// </summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>How many attempts have been made.</summary>
    public int Attempts { get; set; }

    /// <summary>Why the last attempt failed, if it did (no names or URLs, only the exception's type and message).</summary>
    public string? LastError { get; set; }
}
