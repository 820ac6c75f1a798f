using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore;

/// <summary>What Coffer still owes a storage after a commit.</summary>
public enum FileLedgerState
{
    /// <summary>
    /// The file's row was deleted, or its field now holds another file: the object is to be deleted. Written in the
    /// same transaction as that change, so the delete is owed exactly when the change committed.
    /// </summary>
    Deleting = 1,
}

/// <summary>
/// One row of Coffer's file ledger (<see cref="CofferModelBuilderExtensions.AddCofferFileLedger"/>): an object that a
/// committed change made Coffer responsible for. The row is written in the transaction of the change itself, so neither
/// a store that is down, nor a crash after the commit, nor a transaction committed outside EF Core can lose the
/// duty; <see cref="CofferDbContextExtensions.SweepFileLedgerAsync"/> retries what is still owed and removes the row
/// once it is done. The cost of that sweep grows with what is owed, not with the bucket.
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

    /// <summary>When the next attempt is due (UTC); an instance working on the row moves it forward first, as a lease.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>How many attempts have been made.</summary>
    public int Attempts { get; set; }

    /// <summary>Why the last attempt failed, if it did (no names or URLs, only the exception's type and message).</summary>
    public string? LastError { get; set; }
}
