using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>The one place that writes and removes rows of the file ledger (<see cref="FileLedgerEntry"/>).</summary>
internal static class FileLedger
{
    /// <summary>How long an instance owns an entry it is working on before another may take it over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an upload through <c>SaveChanges</c> may take, from its first byte to the commit of its row, before the
    /// ledger sweep treats it as abandoned (deletes what it stored; a save still running then fails to commit).
    /// Generous: a 5 GB file sent at 1 MB/s takes 90 minutes.
    /// </summary>
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromHours(6);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    public static bool IsMapped(DbContext context) => context.Model.FindEntityType(typeof(FileLedgerEntry)) is not null;

    /// <summary>A new entry owing the delete of <paramref name="name"/>, due at once (right after the commit).</summary>
    public static FileLedgerEntry Deleting(FileStorage storage, string name, DateTime now) =>
        new() { Storage = storage.Name, Name = name, State = FileLedgerState.Deleting, CreatedAt = now, NextAttemptAt = now };

    /// <summary>
    /// Whether uploads to <paramref name="storage"/> are recorded as pending. Only names with a random token are: such a
    /// name belongs to this upload alone before anything is written, so the sweep may delete whatever is stored under it.
    /// A name without one may turn out to be taken by another save's file, which no sweep must touch.
    /// </summary>
    public static bool RecordsUploadsTo(FileStorage storage) => storage.Options.UsesUniqueNames;

    /// <summary>
    /// Records an upload of <paramref name="name"/> before its first byte, committed on its own whatever transaction the
    /// context is in (see <see cref="OutsideTransactionAsync"/>), and returns the entry as stored, key included.
    /// </summary>
    public static Task<FileLedgerEntry> RecordPendingAsync(DbContext context, FileStorage storage, string name, DateTime now, CancellationToken cancellationToken) =>
        RecordPendingAsync(context, storage.Name, name, now, now + PendingLifetime, cancellationToken);

    /// <summary>Records a pending upload due at <paramref name="due"/> (see the overload above).</summary>
    public static async Task<FileLedgerEntry> RecordPendingAsync(DbContext context, string storage, string name, DateTime now, DateTime due, CancellationToken cancellationToken)
    {
        // Whole milliseconds, so the value the commit compares (the concurrency token) is the one every database stored.
        now = WholeMilliseconds(now);
        var entry = new FileLedgerEntry
        {
            Storage = storage, Name = name, State = FileLedgerState.Pending, CreatedAt = now, NextAttemptAt = WholeMilliseconds(due),
        };
        var table = new LedgerTable(context);
        await OutsideTransactionAsync(context, async (connection, transaction) =>
        {
            var insert = table.Command(connection, transaction,
                $"INSERT INTO {table.Name} ({table[nameof(FileLedgerEntry.Storage)]}, {table[nameof(FileLedgerEntry.Name)]}, {table[nameof(FileLedgerEntry.State)]}, {table[nameof(FileLedgerEntry.CreatedAt)]}, {table[nameof(FileLedgerEntry.NextAttemptAt)]}, {table[nameof(FileLedgerEntry.Attempts)]}) VALUES (@storage, @name, @state, @created, @due, 0)",
                (nameof(FileLedgerEntry.Storage), "@storage", entry.Storage), (nameof(FileLedgerEntry.Name), "@name", entry.Name),
                (nameof(FileLedgerEntry.State), "@state", entry.State), (nameof(FileLedgerEntry.CreatedAt), "@created", entry.CreatedAt),
                (nameof(FileLedgerEntry.NextAttemptAt), "@due", entry.NextAttemptAt));
            await using (insert.ConfigureAwait(false))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // The name has a token of its own, so it finds this row and no other (no provider-specific RETURNING needed).
            var select = table.Command(connection, transaction,
                $"SELECT {table[nameof(FileLedgerEntry.Id)]} FROM {table.Name} WHERE {table[nameof(FileLedgerEntry.Storage)]} = @storage AND {table[nameof(FileLedgerEntry.Name)]} = @name AND {table[nameof(FileLedgerEntry.State)]} = @state",
                (nameof(FileLedgerEntry.Storage), "@storage", entry.Storage), (nameof(FileLedgerEntry.Name), "@name", entry.Name),
                (nameof(FileLedgerEntry.State), "@state", entry.State));
            await using (select.ConfigureAwait(false))
            {
                entry.Id = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }
        }, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>
    /// Whether the pending entry <paramref name="id"/> of <paramref name="name"/> is still there, due at <paramref name="due"/>:
    /// not committed by another save, and not taken over by the sweep. A plain command, for use inside <c>SaveChanges</c>.
    /// </summary>
    public static async Task<bool> IsPendingAsync(DbContext context, long id, string storage, string name, DateTime due, CancellationToken cancellationToken)
    {
        var table = new LedgerTable(context);
        bool found = false;
        await OnContextConnectionAsync(context, async (connection, transaction) =>
        {
            var select = table.Command(connection, transaction,
                $"SELECT COUNT(*) FROM {table.Name} WHERE {table[nameof(FileLedgerEntry.Id)]} = @id AND {table[nameof(FileLedgerEntry.Storage)]} = @storage AND {table[nameof(FileLedgerEntry.Name)]} = @name AND {table[nameof(FileLedgerEntry.State)]} = @state AND {table[nameof(FileLedgerEntry.NextAttemptAt)]} = @due",
                (nameof(FileLedgerEntry.Id), "@id", id), (nameof(FileLedgerEntry.Storage), "@storage", storage), (nameof(FileLedgerEntry.Name), "@name", name),
                (nameof(FileLedgerEntry.State), "@state", FileLedgerState.Pending), (nameof(FileLedgerEntry.NextAttemptAt), "@due", WholeMilliseconds(due)));
            await using (select.ConfigureAwait(false))
            {
                found = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
            }
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// Makes the pending entry due at <paramref name="now"/> if it is still due at <paramref name="due"/>: a commit,
    /// conditioned on the old value, can no longer remove it. Committed on its own.
    /// </summary>
    public static async Task<bool> TryAbandonAsync(DbContext context, long id, DateTime due, DateTime now, CancellationToken cancellationToken)
    {
        var table = new LedgerTable(context);
        int changed = 0;
        await OutsideTransactionAsync(context, async (connection, transaction) =>
        {
            var update = table.Command(connection, transaction,
                $"UPDATE {table.Name} SET {table[nameof(FileLedgerEntry.NextAttemptAt)]} = @now WHERE {table[nameof(FileLedgerEntry.Id)]} = @id AND {table[nameof(FileLedgerEntry.State)]} = @state AND {table[nameof(FileLedgerEntry.NextAttemptAt)]} = @due",
                (nameof(FileLedgerEntry.NextAttemptAt), "@now", WholeMilliseconds(now)), (nameof(FileLedgerEntry.Id), "@id", id),
                (nameof(FileLedgerEntry.State), "@state", FileLedgerState.Pending), (nameof(FileLedgerEntry.NextAttemptAt), "@due", WholeMilliseconds(due)));
            await using (update.ConfigureAwait(false))
            {
                changed = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    private static DateTime WholeMilliseconds(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>Removes a pending entry whose upload is gone (deleted after its save failed), committed on its own like its recording.</summary>
    public static Task RemovePendingAsync(DbContext context, long id, CancellationToken cancellationToken) =>
        OutsideTransactionAsync(context, (connection, transaction) => ExecuteRemoveAsync(new LedgerTable(context), connection, transaction, id, cancellationToken), cancellationToken);

    /// <summary>1, 2, 4 … minutes after the <paramref name="attempts"/>th failure, at most an hour.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(attempts - 1, 0)), MaxBackoff.TotalMinutes));

    /// <summary>What the entry records of a failure: the exception's type and message, cut to the column.</summary>
    public static string Describe(Exception exception)
    {
        string text = $"{exception.GetType().Name}: {exception.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }

    /// <summary>
    /// Removes a done entry with a plain command on the context's connection. Called from inside <c>SaveChanges</c>
    /// (its interceptor) and from a commit's interceptor, where a LINQ query on the same context would be a second
    /// operation on it; a command is not.
    /// </summary>
    public static Task RemoveAsync(DbContext context, long id, CancellationToken cancellationToken) =>
        OnContextConnectionAsync(context, (connection, transaction) => ExecuteRemoveAsync(new LedgerTable(context), connection, transaction, id, cancellationToken), cancellationToken);

    private static async Task ExecuteRemoveAsync(LedgerTable table, DbConnection connection, DbTransaction? transaction, long id, CancellationToken cancellationToken)
    {
        var command = table.Command(connection, transaction, $"DELETE FROM {table.Name} WHERE {table[nameof(FileLedgerEntry.Id)]} = @id", (nameof(FileLedgerEntry.Id), "@id", id));
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> so that it commits on its own, not with the context's transaction: a pending entry
    /// written inside the save's transaction would be rolled back by the very crash it is there to survive. With no
    /// transaction, the context's connection in autocommit; inside one, a second connection to the same database. SQLite
    /// has one writer, and a second connection would wait for the transaction that holds it: there the entry joins the
    /// transaction, and a crash before its commit leaves the upload to the full sweep (documented).
    /// </summary>
    private static async Task OutsideTransactionAsync(DbContext context, Func<DbConnection, DbTransaction?, Task> work, CancellationToken cancellationToken)
    {
        var database = context.Database;
        var transaction = database.CurrentTransaction?.GetDbTransaction();
        if (transaction is not null
            && !string.Equals(database.ProviderName, "Microsoft.EntityFrameworkCore.Sqlite", StringComparison.Ordinal)
            && database.GetConnectionString() is { Length: > 0 } connectionString
            && DbProviderFactories.GetFactory(database.GetDbConnection()) is { } factory
            && factory.CreateConnection() is { } second)
        {
            await using (second.ConfigureAwait(false))
            {
                second.ConnectionString = connectionString;
                await second.OpenAsync(cancellationToken).ConfigureAwait(false);
                await work(second, null).ConfigureAwait(false);
            }

            return;
        }

        await OnContextConnectionAsync(context, work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on the context's connection, in its current transaction if any, opening and closing the connection if it was closed.</summary>
    private static async Task OnContextConnectionAsync(DbContext context, Func<DbConnection, DbTransaction?, Task> work, CancellationToken cancellationToken)
    {
        var database = context.Database;
        var connection = database.GetDbConnection();
        bool open = connection.State == ConnectionState.Open;
        if (!open)
        {
            await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await work(connection, database.CurrentTransaction?.GetDbTransaction()).ConfigureAwait(false);
        }
        finally
        {
            if (!open)
            {
                await database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The ledger's table and columns as the model maps them, and commands on it with parameters typed by the model.</summary>
    private sealed class LedgerTable
    {
        private readonly IEntityType _type;
        private readonly StoreObjectIdentifier _table;
        private readonly ISqlGenerationHelper _sql;

        public LedgerTable(DbContext context)
        {
            _type = context.Model.FindEntityType(typeof(FileLedgerEntry))!;
            _table = StoreObjectIdentifier.Table(_type.GetTableName()!, _type.GetSchema());
            _sql = context.GetService<ISqlGenerationHelper>();
            Name = _sql.DelimitIdentifier(_table.Name, _table.Schema);
        }

        public string Name { get; }

        public string this[string property] => _sql.DelimitIdentifier(_type.FindProperty(property)!.GetColumnName(_table)!);

        public DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Property, string Parameter, object Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
#pragma warning disable CA2100 // identifiers come from the model and are delimited; values are parameters
            command.CommandText = sql;
#pragma warning restore CA2100
            foreach (var (property, parameter, value) in parameters)
            {
                // The model's mapping converts the value as EF would (the enum to its number, DateTime to the column's type).
                command.Parameters.Add(_type.FindProperty(property)!.GetRelationalTypeMapping().CreateParameter(command, parameter, value));
            }

            return command;
        }
    }
}
