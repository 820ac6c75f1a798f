using Coffer.EntityFrameworkCore;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds Coffer's tables to a model.</summary>
public static class CofferModelBuilderExtensions
{
    /// <summary>The ledger's table name.</summary>
    public const string FileLedgerTable = "coffer_file_ledger";

    /// <summary>
    /// Maps Coffer's file ledger (<see cref="FileLedgerEntry"/>, table <c>coffer_file_ledger</c>). With it, a file whose
    /// row is deleted or replaced is recorded in the same transaction, and deleted after the commit; a delete that fails
    /// (the store is down) stays recorded until <see cref="CofferDbContextExtensions.SweepFileLedgerAsync"/> succeeds.
    /// And every upload to a storage with unique names is recorded before its first byte and settled in the transaction
    /// of its row, so an upload whose row never commits (a crash, a killed process) is deleted by the same sweep once it
    /// expires. Without it, such files are only logged and left for the full sweep. Call it in <c>OnModelCreating</c>
    /// and add a migration.
    /// </summary>
    /// <param name="modelBuilder">The model builder of <c>OnModelCreating</c>.</param>
    /// <returns>The same model builder.</returns>
    public static ModelBuilder AddCofferFileLedger(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<FileLedgerEntry>(entry =>
        {
            entry.ToTable(FileLedgerTable);
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Storage).HasMaxLength(64).IsRequired();
            entry.Property(e => e.Name).HasMaxLength(1024).IsRequired();
            entry.Property(e => e.LastError).HasMaxLength(1000);
            // A commit removes its pending entry only if no sweep has taken it over (moved its due time) in the meantime.
            entry.Property(e => e.NextAttemptAt).IsConcurrencyToken();
            // The sweep asks for what is due, oldest first.
            entry.HasIndex(e => new { e.State, e.NextAttemptAt });
        });
        return modelBuilder;
    }
}
