using System.Runtime.CompilerServices;
using System.Text;
using Coffer;
using Coffer.EntityFrameworkCore;
using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Maintenance of the files that a context's file fields refer to.</summary>
public static class CofferDbContextExtensions
{
    /// <summary>
    /// Finds files in <paramref name="storage"/> that no row references and deletes those older than the grace period:
    /// what a crash between upload and commit, a transaction that ended outside EF Core, or a failed delete left behind.
    /// </summary>
    /// <param name="context">A context configured with <c>UseCoffer</c>; every file field of its model that uses the storage is checked.</param>
    /// <param name="storage">The name of the storage to sweep.</param>
    /// <param name="options">Grace period, dry run and folder; <see langword="null"/> for the defaults (1 day, deleting, whole storage).</param>
    /// <param name="cancellationToken">Stops the sweep between files; what was deleted stays deleted.</param>
    /// <returns>What was found and deleted.</returns>
    /// <remarks>
    /// Cost: the storage's whole folder is listed (on S3, one LIST request per folder and per 1,000 keys), each batch of
    /// <see cref="SweepOptions.BatchSize"/> names costs one query per file column, each unreferenced file costs one
    /// metadata request (a HEAD on S3) for its age, and each orphan one delete. Run it off-peak, for example nightly,
    /// and narrow it with <see cref="SweepOptions.Directory"/>. Only tables are checked: a file field of an entity mapped
    /// to a view or a SQL query, or kept in JSON, is not seen, so its storage must not be swept.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The context has no <c>UseCoffer</c>, the storage does not exist, or no file field of the model uses it.</exception>
    public static async Task<SweepResult> SweepOrphanedFilesAsync(
        this DbContext context, string storage, SweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(storage);
        options ??= new SweepOptions();
        if (options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "SweepOptions.BatchSize must be at least 1.");
        }

        var extension = context.GetService<IDbContextOptions>().FindExtension<CofferOptionsExtension>()
            ?? throw new InvalidOperationException("SweepOrphanedFilesAsync needs a context configured with optionsBuilder.UseCoffer(storages).");
        var fileStorage = extension.Storages.GetStorage(storage);
        var columns = FindColumns(context.Model, storage);
        if (columns.Count == 0)
        {
            throw new InvalidOperationException(
                $"No file field of {context.GetType().Name}'s model uses storage '{storage}', so every file in it would look orphaned. Sweep it with a context whose model maps its file fields.");
        }

        var logger = (ILogger?)context.GetService<ILoggerFactory>()?.CreateLogger("Coffer.EntityFrameworkCore.Sweeper") ?? NullLogger.Instance;
        var sql = context.GetService<ISqlGenerationHelper>();
        var cutoff = (options.TimeProvider ?? TimeProvider.System).GetUtcNow() - options.GracePeriod;
        int listed = 0, referenced = 0;
        var deleted = new List<string>();
        var tooRecent = new List<string>();
        var failed = new List<string>();

        var batch = new List<string>(options.BatchSize);
        await foreach (var name in ListRecursiveAsync(fileStorage, options.Directory.Trim('/'), cancellationToken).ConfigureAwait(false))
        {
            listed++;
            batch.Add(name);
            if (batch.Count == options.BatchSize)
            {
                await SweepBatchAsync().ConfigureAwait(false);
            }
        }

        await SweepBatchAsync().ConfigureAwait(false);
        // Uploads that never finished (a process killed mid-upload) are not files, so the listing above never sees them.
        var unfinished = await fileStorage.SweepUnfinishedUploadsAsync(options.GracePeriod, options.DryRun, cancellationToken).ConfigureAwait(false);
        return new SweepResult(options.DryRun, listed, referenced, deleted, tooRecent, failed, unfinished);

        async Task SweepBatchAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            // A variant (files/a.jpg~thumb.webp) is referenced when the file it is named from is.
            var lookups = batch.Concat(batch.Select(OwnerOf).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();
            var used = await FindReferencedAsync(context, sql, columns, lookups, cancellationToken).ConfigureAwait(false);
            foreach (var name in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (used.Contains(name) || (OwnerOf(name) is { } owner && used.Contains(owner)))
                {
                    referenced++;
                    continue;
                }

                var info = await fileStorage.GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
                if (!info.Exists)
                {
                    continue;
                }

                if (info.LastModified is not { } modified || modified > cutoff)
                {
                    tooRecent.Add(name);
                    continue;
                }

                if (options.DryRun)
                {
                    Log.OrphanFound(logger, storage, name);
                    deleted.Add(name);
                    continue;
                }

                try
                {
                    await fileStorage.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                    Log.OrphanDeleted(logger, storage, name);
                    deleted.Add(name);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.OrphanDeleteFailed(logger, ex, storage, name);
                    failed.Add(name);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// Does what the file ledger says is still owed (<see cref="CofferModelBuilderExtensions.AddCofferFileLedger"/>):
    /// deletes each old file whose delete after its commit failed or never ran, and each upload whose row never committed
    /// once it has expired (<see cref="FileLedgerState.Pending"/>, 6 hours after its first byte), and removes their entries. A failed attempt
    /// is retried by a later sweep, 1, 2, 4 … minutes on, at most an hour apart. Run it every few minutes (a hosted
    /// service, a cron job); its cost grows with what is owed, not with the storage.
    /// </summary>
    /// <param name="context">A context configured with <c>UseCoffer</c> whose model maps the ledger.</param>
    /// <param name="timeProvider">The clock for due times; <see langword="null"/> for the system clock.</param>
    /// <param name="cancellationToken">Stops the sweep between entries; what was done stays done.</param>
    /// <returns>The entries done and those that failed (and stay owed).</returns>
    /// <remarks>
    /// Safe on several instances at once, on any database: an instance first moves an entry's due time forward by a
    /// lease, conditioned on the value it read, so only one instance works on an entry at a time; if it dies, the lease
    /// runs out and another takes over. Deleting an object twice is harmless, so nothing is lost if that happens late.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The context has no <c>UseCoffer</c>, or its model does not map the ledger.</exception>
    public static async Task<FileLedgerSweepResult> SweepFileLedgerAsync(this DbContext context, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var extension = context.GetService<IDbContextOptions>().FindExtension<CofferOptionsExtension>()
            ?? throw new InvalidOperationException("SweepFileLedgerAsync needs a context configured with optionsBuilder.UseCoffer(storages).");
        if (!FileLedger.IsMapped(context))
        {
            throw new InvalidOperationException($"{context.GetType().Name}'s model has no file ledger: call modelBuilder.AddCofferFileLedger() in OnModelCreating and add a migration.");
        }

        var logger = (ILogger?)context.GetService<ILoggerFactory>()?.CreateLogger("Coffer.EntityFrameworkCore.Sweeper") ?? NullLogger.Instance;
        var clock = timeProvider ?? TimeProvider.System;
        var ledger = context.Set<FileLedgerEntry>();
        var done = new List<FileLedgerEntry>();
        var failed = new List<FileLedgerEntry>();
        using var activity = EfTelemetry.StartLedgerSweep();
        while (true)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var due = await ledger.AsNoTracking().Where(e => (e.State == FileLedgerState.Deleting || e.State == FileLedgerState.Pending) && e.NextAttemptAt <= now).OrderBy(e => e.NextAttemptAt).ThenBy(e => e.Id)
                .Take(100).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (due.Count == 0)
            {
                break;
            }

            foreach (var entry in due)
            {
                // The claim: whoever moves the due time from the value it read owns the entry for the lease.
                var seen = entry.NextAttemptAt;
                int claimed = await ledger.Where(e => e.Id == entry.Id && e.NextAttemptAt == seen)
                    .ExecuteUpdateAsync(set => set.SetProperty(e => e.NextAttemptAt, now + FileLedger.Lease).SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken)
                    .ConfigureAwait(false);
                if (claimed == 0)
                {
                    continue; // another instance has it
                }

                entry.Attempts++;
                try
                {
                    var entryStorage = extension.Storages.GetStorage(entry.Storage);
                    // A pending upload may be a direct one still in parts: aborting removes its parts and the object alike.
                    await (entry.State == FileLedgerState.Pending
                        ? entryStorage.AbortDirectUploadAsync(entry.Name, uploadId: null, cancellationToken)
                        : entryStorage.DeleteAsync(entry.Name, cancellationToken)).ConfigureAwait(false);
                    await ledger.Where(e => e.Id == entry.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    if (entry.State == FileLedgerState.Pending)
                    {
                        Log.LedgerUploadAbandoned(logger, entry.Storage, entry.Name, entry.CreatedAt);
                    }
                    else
                    {
                        Log.LedgerDeleteDone(logger, entry.Storage, entry.Name, entry.Attempts);
                    }

                    done.Add(entry);
                    EfTelemetry.LedgerEntry(entry.Storage, entry.State, done: true);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    entry.NextAttemptAt = now + FileLedger.Backoff(entry.Attempts);
                    entry.LastError = FileLedger.Describe(ex);
                    await ledger.Where(e => e.Id == entry.Id)
                        .ExecuteUpdateAsync(set => set.SetProperty(e => e.NextAttemptAt, entry.NextAttemptAt).SetProperty(e => e.LastError, entry.LastError), CancellationToken.None)
                        .ConfigureAwait(false);
                    Log.LedgerDeleteFailed(logger, ex, entry.Storage, entry.Name, entry.Attempts, entry.NextAttemptAt);
                    failed.Add(entry);
                    EfTelemetry.LedgerEntry(entry.Storage, entry.State, done: false);
                }
            }
        }

        EfTelemetry.LedgerSwept(activity, done.Count, failed.Count);
        return new FileLedgerSweepResult(done, failed);
    }

    private static List<(string Table, string? Schema, string Column)> FindColumns(IModel model, string storage)
    {
        var columns = new List<(string Table, string? Schema, string Column)>();
        foreach (var entityType in model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Create(entityType, StoreObjectType.Table);
            if (table is null)
            {
                continue;
            }

            foreach (var property in FileFieldModel.GetFileProperties(entityType))
            {
                if (string.Equals(property.Field.Options.Storage, storage, StringComparison.Ordinal)
                    && property.Property.GetColumnName(table.Value) is { } column
                    && !columns.Contains((table.Value.Name, table.Value.Schema, column)))
                {
                    columns.Add((table.Value.Name, table.Value.Schema, column));
                }
            }
        }

        return columns;
    }

    private static async Task<HashSet<string>> FindReferencedAsync(
        DbContext context, ISqlGenerationHelper sql, List<(string Table, string? Schema, string Column)> columns, List<string> names, CancellationToken cancellationToken)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        object[] parameters = names.ToArray<object>();
        string placeholders = string.Join(", ", Enumerable.Range(0, names.Count).Select(i => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"));
        foreach (var (table, schema, column) in columns)
        {
            string col = Escape(sql.DelimitIdentifier(column));
            var query = new StringBuilder()
                .Append("SELECT ").Append(col).Append(" AS ").Append(Escape(sql.DelimitIdentifier("Value")))
                .Append(" FROM ").Append(Escape(sql.DelimitIdentifier(table, schema)))
                .Append(" WHERE ").Append(col).Append(" IN (").Append(placeholders).Append(')')
                .ToString();
            foreach (var name in await context.Database.SqlQueryRaw<string>(query, parameters).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                used.Add(name);
            }
        }

        return used;

        // The query is a format string: braces in identifiers must not read as placeholders.
        static string Escape(string identifier) => identifier.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<string> ListRecursiveAsync(FileStorage storage, string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listing = await storage.ListAsync(directory, cancellationToken).ConfigureAwait(false);
        foreach (var file in listing.Files)
        {
            yield return directory.Length == 0 ? file : directory + "/" + file;
        }

        foreach (var sub in listing.Directories)
        {
            await foreach (var name in ListRecursiveAsync(storage, directory.Length == 0 ? sub : directory + "/" + sub, cancellationToken).ConfigureAwait(false))
            {
                yield return name;
            }
        }
    }

    private static string? OwnerOf(string name)
    {
        int separator = name.LastIndexOf(FileFieldHandler.VariantSeparator);
        return separator > 0 ? name[..separator] : null;
    }
}
