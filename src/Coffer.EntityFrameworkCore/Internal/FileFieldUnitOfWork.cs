using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// The file work of one context: uploads made for the <c>SaveChanges</c> in progress, and uploads and old files
/// that wait for the outcome of the current transaction. The rules:
/// <list type="bullet">
/// <item>Uploads happen before the database is written; if the save fails, they are deleted at once.</item>
/// <item>Inside a transaction, uploads wait for it: rolled back (or disposed without a commit) deletes them.</item>
/// <item>Old files (row deleted, file replaced or cleared) are deleted only once the commit is known.</item>
/// <item>When the outcome cannot be known (a transaction committed or rolled back behind EF's back), nothing is
/// deleted: an orphan is left for the sweeper rather than a row without its file.</item>
/// <item>With the file ledger mapped, each old file is also recorded in the save itself, so a delete that fails or
/// never runs (store down, crash, unknown outcome) stays owed until the ledger sweep does it.</item>
/// </list>
/// </summary>
internal sealed class FileFieldUnitOfWork : IDisposable, IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ICurrentDbContext _context;
    private SaveBatch? _batch;
    private TransactionWork? _transaction;

    public FileFieldUnitOfWork(IDbContextOptions options, ICurrentDbContext context, ILoggerFactory loggerFactory)
    {
        _context = context;
        Storages = options.FindExtension<CofferOptionsExtension>()?.Storages
            ?? throw new InvalidOperationException("File fields need optionsBuilder.UseCoffer(storages) on the DbContext options.");
        _logger = loggerFactory.CreateLogger("Coffer.EntityFrameworkCore");
    }

    public IFileStorageProvider Storages { get; }

    public FileStorage GetStorage(FileField field) => Storages.GetStorage(field.Options.Storage);

    // ----- SaveChanges -----

    /// <summary>Checks every file field of the changed entities, then uploads pending content and stores the final names.</summary>
    public async Task BeforeSaveAsync(DbContext context, CancellationToken cancellationToken)
    {
        await ResolveEndedTransactionAsync(context).ConfigureAwait(false);
        await DiscardBatchAsync("an earlier save did not finish").ConfigureAwait(false);
        if (context.ChangeTracker.AutoDetectChangesEnabled)
        {
            context.ChangeTracker.DetectChanges();
        }

        var batch = new SaveBatch();
        var uploads = Plan(context, batch);
        await CommitDirectUploadsAsync(context, batch, cancellationToken).ConfigureAwait(false);
        if (FileLedger.IsMapped(context))
        {
            // In the save itself: the delete is owed exactly when the change commits (after the enumeration in Plan).
            var now = DateTime.UtcNow;
            for (int i = 0; i < batch.OldFiles.Count; i++)
            {
                var old = batch.OldFiles[i];
                batch.OldFiles[i] = old with { Ledger = FileLedger.Deleting(old.Storage, old.Name, now) };
                context.Add(batch.OldFiles[i].Ledger!);
            }
        }

        using var activity = uploads.Count + batch.Adoptions.Count > 0 ? EfTelemetry.StartSave(uploads.Count + batch.Adoptions.Count, batch.OldFiles.Count) : null;
        try
        {
            foreach (var upload in uploads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pending = upload.Value.Pending!;
                string name = upload.Field.Options.Handler is { } handler
                    ? await handler.SaveAsync(NewSave(batch, upload), cancellationToken).ConfigureAwait(false)
                    : await SaveFileAsync(batch, upload, pending.Content, pending.FileName, pending.ContentType, cancellationToken).ConfigureAwait(false);

                var stored = new StoredFile(name, null, upload.Field);
                stored.Bind(upload.Field, upload.Storage);
                batch.Replaced.Add((upload.Entry, upload.Value));
                upload.Entry.CurrentValue = stored;
            }

            foreach (var adoption in batch.Adoptions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await AdoptAsync(context, batch, adoption, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            EfTelemetry.Failed(activity, ex);
            await UndoAsync(batch, ex is OperationCanceledException ? "cancelled" : "the upload failed").ConfigureAwait(false);
            throw;
        }

        _batch = batch;
        if (!batch.IsEmpty)
        {
            // EF reports a concurrency conflict to no interceptor, only to this event (and only when it really throws).
            batch.Context = context;
            context.SaveChangesFailed += OnSaveChangesFailed;
        }
    }

    private async Task<string> SaveFileAsync(SaveBatch batch, PlannedUpload upload, Stream content, string fileName, string? contentType, CancellationToken cancellationToken)
    {
        var options = upload.Field.SaveOptions(upload.Entry.EntityEntry.Entity, contentType, upload.Storage);
        string name;
        if (await RecordPendingAsync(batch, upload.Storage, upload.Storage.GetSaveName(fileName, options), cancellationToken).ConfigureAwait(false) is { } pending)
        {
            // The name is chosen (and recorded) first, so it is saved exactly: its token makes it free.
            var exact = new FileSaveOptions { ExactName = true, ContentType = contentType, MaxNameLength = options.MaxNameLength };
            name = await upload.Storage.SaveAsync(pending.Name, content, exact, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            name = await upload.Storage.SaveAsync(fileName, content, options, cancellationToken).ConfigureAwait(false);
            batch.Uploads.Add(new StoredObject(upload.Storage, name));
        }

        Log.FileUploaded(_logger, upload.Storage.Name, name, upload.Field.DisplayName);
        CheckFits(name, upload.Field); // the pipeline keeps names within the field; a custom backend must too
        return name;
    }

    /// <summary>
    /// With the ledger mapped, records an upload of <paramref name="name"/> as pending before its first byte, adds it to
    /// the batch (so a failed save deletes it and its entry), and has the save remove the entry in its own transaction.
    /// Returns <see langword="null"/> when uploads to the storage are not recorded (no ledger, or names without a token).
    /// </summary>
    private async Task<StoredObject?> RecordPendingAsync(SaveBatch batch, FileStorage storage, string name, CancellationToken cancellationToken)
    {
        var context = _context.Context;
        if (!FileLedger.IsMapped(context) || !FileLedger.RecordsUploadsTo(storage))
        {
            return null;
        }

        var entry = await FileLedger.RecordPendingAsync(context, storage, name, DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
        var upload = new StoredObject(storage, name, entry);
        batch.Uploads.Add(upload);
        // Deleted with the row's insert, conditioned on its due time: a sweep that has taken the entry over makes the save fail.
        context.Entry(entry).State = EntityState.Deleted;
        return upload;
    }

    /// <summary>
    /// Has the field's handler adopt a file that reached the storage another way (after a direct upload's checks), with
    /// the same saves as new content: a copy goes through the field's name pipeline, variants are named from the name the
    /// field keeps, and both are removed if the save fails.
    /// </summary>
    private async Task AdoptAsync(DbContext context, SaveBatch batch, PlannedUpload adoption, CancellationToken cancellationToken)
    {
        var value = adoption.Value;
        string name = value.Name!;
        // A direct upload's commit check has just asked the store; a name assigned otherwise is asked here.
        var info = batch.CommittedInfo.TryGetValue((adoption.Storage.Name, name), out var committed)
            ? committed
            : await adoption.Storage.GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
        if (!info.Exists)
        {
            throw new FileNotFoundException(
                $"'{adoption.Field.DisplayName}' is set to '{name}', but storage '{adoption.Storage.Name}' has no file by that name; its handler checks the file before the row is saved. Store the file first, or assign its content with StoredFile.FromStream.", name);
        }

        bool direct = value.Upload is not null;
        string fileName = value.Upload?.FileName is { Length: > 0 } original ? original : name[(name.LastIndexOf('/') + 1)..];
        var work = new FileFieldAdoption(
            adoption.Entry.EntityEntry, adoption.Storage, value, info, fileName, adoption.Field.DisplayName, direct,
            (content, copyName, contentType, ct) => SaveFileAsync(batch, adoption, content, copyName, contentType, ct),
            (stored, key, content, contentType, ct) => SaveVariantAsync(batch, adoption, stored, key, content, contentType,
                keepExisting: !direct && string.Equals(stored, name, StringComparison.Ordinal), ct));
        await adoption.Field.Options.Handler!.AdoptAsync(work, cancellationToken).ConfigureAwait(false);
        if (work.CopyName is not { } copy)
        {
            return;
        }

        var stored = new StoredFile(copy, null, adoption.Field);
        stored.Bind(adoption.Field, adoption.Storage);
        batch.Replaced.Add((adoption.Entry, value));
        adoption.Entry.CurrentValue = stored;
        if (direct)
        {
            // Its pending entry goes with this save (CommitDirectUploadsAsync); the object itself is owed like an old
            // file's, in the same transaction, so a rollback leaves the upload pending and the copy is removed.
            var old = new StoredObject(adoption.Storage, name, FileLedger.Deleting(adoption.Storage, name, DateTime.UtcNow));
            context.Add(old.Ledger!);
            batch.OldFiles.Add(old);
        }
    }

    private FileFieldSave NewSave(SaveBatch batch, PlannedUpload upload) => new(
        upload.Entry.EntityEntry, upload.Storage, upload.Value.Pending!, upload.Field.DisplayName,
        (content, fileName, contentType, ct) => SaveFileAsync(batch, upload, content, fileName, contentType, ct),
        (name, key, content, contentType, ct) => SaveVariantAsync(batch, upload, name, key, content, contentType, keepExisting: false, ct));

    /// <summary>
    /// Stores a variant of <paramref name="name"/> under its derived name, as an upload of the batch. With
    /// <paramref name="keepExisting"/> (an adopted name that may have been adopted before), a variant already stored is kept.
    /// </summary>
    private async Task SaveVariantAsync(SaveBatch batch, PlannedUpload upload, string name, string key, Stream content, string? contentType, bool keepExisting, CancellationToken cancellationToken)
    {
        string variant = upload.Field.GetVariantName(name, key);
        if (keepExisting && await upload.Storage.ExistsAsync(variant, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var options = new FileSaveOptions { ExactName = true, ContentType = contentType };
        bool recorded = await RecordPendingAsync(batch, upload.Storage, variant, cancellationToken).ConfigureAwait(false) is not null;
        await upload.Storage.SaveAsync(variant, content, options, cancellationToken).ConfigureAwait(false);
        if (!recorded)
        {
            batch.Uploads.Add(new StoredObject(upload.Storage, variant));
        }

        Log.FileUploaded(_logger, upload.Storage.Name, variant, upload.Field.DisplayName);
    }

    private void OnSaveChangesFailed(object? sender, SaveChangesFailedEventArgs e)
    {
        if (e.Exception is DbUpdateConcurrencyException)
        {
            SyncOverAsync.Run(() => SaveFailedAsync("a concurrency conflict"));
        }
    }

    /// <summary>The database accepted the save: commit the batch now, or hand it to the transaction it ran in.</summary>
    public async Task AfterSaveAsync(DbContext context, CancellationToken cancellationToken)
    {
        var batch = TakeBatch();
        if (batch is null || batch.IsEmpty)
        {
            return;
        }

        var transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        if (transaction is null)
        {
            // SaveChanges ran in its own transaction, which has committed.
            await DeleteOldFilesAsync(batch.OldFiles, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_transaction?.Transaction != transaction)
        {
            // Not seen starting: treat it like one EF did not begin, whose end may be invisible to us.
            _transaction = new TransactionWork(transaction, ownedByEf: false);
        }

        _transaction.Uploads.AddRange(batch.Uploads);
        _transaction.OldFiles.AddRange(batch.OldFiles);
    }

    /// <summary>The save failed or was cancelled: delete what it uploaded and put the pending content back.</summary>
    public async Task SaveFailedAsync(string reason)
    {
        if (TakeBatch() is { } batch)
        {
            await UndoAsync(batch, reason).ConfigureAwait(false);
        }
    }

    // ----- Transactions -----

    public async Task TransactionStartedAsync(DbTransaction transaction, bool ownedByEf)
    {
        if (_transaction is { } previous && previous.Transaction != transaction)
        {
            // A connection has one transaction at a time: the previous one has ended, and we did not see how.
            _transaction = null;
            await EndedWithoutOutcomeAsync(previous).ConfigureAwait(false);
        }

        _transaction ??= new TransactionWork(transaction, ownedByEf);
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (Take(transaction) is { } work)
        {
            await DeleteOldFilesAsync(work.OldFiles, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task TransactionRolledBackAsync(DbTransaction transaction, string reason)
    {
        if (Take(transaction) is { } work)
        {
            ForgetLedgerEntries(work.OldFiles); // rolled back with the transaction
            await DeleteUploadsAsync(work.Uploads, reason).ConfigureAwait(false);
        }
    }

    // ----- End of the context (disposed, or returned to a pool) -----

    public void Dispose() => SyncOverAsync.Run(EndAsync);

    public ValueTask DisposeAsync() => EndAsync();

    public async ValueTask EndAsync()
    {
        await DiscardBatchAsync("the context ended during the save").ConfigureAwait(false);
        if (_transaction is { } work)
        {
            _transaction = null;
            await EndedWithoutOutcomeAsync(work).ConfigureAwait(false);
        }
    }

    // ----- Internals -----

    private List<PlannedUpload> Plan(DbContext context, SaveBatch batch)
    {
        var uploads = new List<PlannedUpload>();
        var seen = new HashSet<PendingContent>(ReferenceEqualityComparer.Instance);
        foreach (var entry in context.ChangeTracker.Entries())
        {
            var properties = FileFieldModel.GetFileProperties(entry.Metadata);
            if (properties.Length == 0 || entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            foreach (var property in properties)
            {
                var propertyEntry = entry.Property(property.Property);
                var storage = GetStorage(property.Field);
                if (entry.State == EntityState.Deleted)
                {
                    AddOldFile(batch, propertyEntry.OriginalValue as StoredFile, property.Field, storage);
                    continue;
                }

                var current = propertyEntry.CurrentValue as StoredFile;
                bool adopting = false;
                if (current?.Pending is { } pending)
                {
                    if (!seen.Add(pending))
                    {
                        throw new InvalidOperationException(
                            $"The same new file '{pending.FileName}' is assigned to two file fields ({property.Field.DisplayName} and another). Give each field its own StoredFile.FromStream.");
                    }

                    // Runs the name pipeline now, so that a name too long for the column fails before anything is uploaded.
                    _ = storage.GetSaveName(pending.FileName, property.Field.SaveOptions(entry.Entity, pending.ContentType, storage));
                    uploads.Add(new PlannedUpload(propertyEntry, current, property.Field, storage));
                }
                else if (current?.Name is { } name)
                {
                    FileNames.Validate(name);
                    CheckFits(name, property.Field);
                    current.Bind(property.Field, storage);
                    bool assigned = entry.State == EntityState.Added || propertyEntry.IsModified;
                    if (current.Upload is { } upload && assigned)
                    {
                        batch.Commits.Add(new DirectCommit(upload, property.Field, storage));
                    }

                    // Any name assigned, even one of another row of this field: the handler fills this row's properties.
                    if (assigned && property.Field.Options.Handler is not null)
                    {
                        batch.Adoptions.Add(new PlannedUpload(propertyEntry, current, property.Field, storage));
                        adopting = true; // the handler hears of it in AdoptAsync, not FileChanged
                    }
                }

                if (current?.Pending is null && property.Field.Options.Handler is { } handler
                    && (entry.State == EntityState.Added || propertyEntry.IsModified) && !adopting)
                {
                    handler.FileChanged(entry, current ?? StoredFile.Empty);
                }

                if (entry.State == EntityState.Modified && propertyEntry.IsModified
                    && propertyEntry.OriginalValue is StoredFile { Name: { } oldName } old
                    && !string.Equals(oldName, current?.Name, StringComparison.Ordinal))
                {
                    AddOldFile(batch, old, property.Field, storage);
                }
            }
        }

        return uploads;
    }

    /// <summary>
    /// Checks each direct upload assigned in this save and has the save remove its pending ledger entry, conditioned on
    /// the due time its ticket carries: the row and the end of the upload's pending state commit together, once.
    /// </summary>
    private static async Task CommitDirectUploadsAsync(DbContext context, SaveBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Commits.Count == 0)
        {
            return;
        }

        if (!FileLedger.IsMapped(context))
        {
            throw new InvalidOperationException($"{context.GetType().Name} commits a direct upload but its model has no file ledger: call modelBuilder.AddCofferFileLedger() in OnModelCreating and add a migration.");
        }

        var seen = new HashSet<long>();
        foreach (var (upload, field, storage) in batch.Commits)
        {
            if (!string.Equals(upload.Storage, storage.Name, StringComparison.Ordinal))
            {
                throw new UploadTicketException(UploadTicketProblem.WrongStorage,
                    $"The upload was made for storage '{upload.Storage}', but '{field.DisplayName}' keeps its files in '{storage.Name}'. Ask for a ticket for this field.");
            }

            if (upload.LedgerEntryId is not { } id || upload.LedgerDueAt is not { } due)
            {
                throw new InvalidOperationException("The direct upload has no pending ledger entry, so it cannot be committed; register the ledger with services.AddCofferFileLedger<TContext>().");
            }

            if (!seen.Add(id))
            {
                throw new InvalidOperationException($"The same direct upload is assigned to two file fields ({field.DisplayName} and another). A ticket commits one file.");
            }

            if (!await FileLedger.IsPendingAsync(context, id, upload.Storage, upload.Name, due, cancellationToken).ConfigureAwait(false))
            {
                throw new UploadTicketException(UploadTicketProblem.AlreadyCommitted,
                    "This upload was committed already, or it expired and was removed; a ticket commits once. Upload the file again.");
            }

            var info = await storage.GetInfoAsync(upload.Name, cancellationToken).ConfigureAwait(false);
            if (!info.Exists)
            {
                throw new UploadTicketException(UploadTicketProblem.Incomplete,
                    "The upload is not complete: the file has not reached the storage yet. Finish sending it (and complete it, for an upload in parts), then commit again.");
            }

            if (info.Length > upload.Length)
            {
                throw new InvalidFileContentException(FileContentProblem.TooLarge,
                    $"The uploaded file has {info.Length:N0} bytes, more than the {upload.Length:N0} declared; it was not added.");
            }

            storage.ValidateContentLength(info.Length);
            batch.CommittedInfo[(storage.Name, upload.Name)] = info;
            var entry = new FileLedgerEntry { Id = id, Storage = upload.Storage, Name = upload.Name, State = FileLedgerState.Pending, NextAttemptAt = due };
            context.Attach(entry);
            context.Entry(entry).State = EntityState.Deleted; // DELETE … WHERE id AND due: a sweep that took it over fails the save
        }
    }

    private static void AddOldFile(SaveBatch batch, StoredFile? old, FileField field, FileStorage storage)
    {
        if (old?.Name is { } name && field.DeletesOldFiles(storage))
        {
            batch.OldFiles.Add(new StoredObject(storage, name));
            foreach (var key in field.VariantKeys)
            {
                batch.OldFiles.Add(new StoredObject(storage, field.GetVariantName(name, key)));
            }
        }
    }

    private static void CheckFits(string name, FileField field)
    {
        if (name.Length > field.Options.MaxLength)
        {
            // The client may see the limit, not the entity and column that impose it.
            throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                $"The name '{name}' is {name.Length} characters long; this field keeps names of at most {field.Options.MaxLength}.",
                $"The name '{name}' is {name.Length} characters long, but the column of '{field.DisplayName}' holds {field.Options.MaxLength}. Use a shorter name, or make sure that the file field allows sufficient max length.");
        }
    }

    private async Task UndoAsync(SaveBatch batch, string reason)
    {
        ForgetLedgerEntries(batch.Uploads); // tracked as deleted by this save, which did not happen
        await DeleteUploadsAsync(batch.Uploads, reason).ConfigureAwait(false);
        ForgetLedgerEntries(batch.OldFiles); // a retried save records them again
        for (int i = batch.Replaced.Count - 1; i >= 0; i--)
        {
            var (entry, pending) = batch.Replaced[i];
            pending.Pending?.Rewind(); // an adopted value has no content to rewind
            entry.CurrentValue = pending;
        }

        batch.Uploads.Clear();
        batch.Replaced.Clear();
    }

    private async Task DiscardBatchAsync(string reason)
    {
        if (TakeBatch() is { } batch)
        {
            await UndoAsync(batch, reason).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A transaction we hold work for is no longer the context's current one, and we saw neither its commit nor its
    /// rollback: it was disposed (or its connection closed) without a commit.
    /// </summary>
    private async Task ResolveEndedTransactionAsync(DbContext context)
    {
        if (_transaction is { } work && context.Database.CurrentTransaction?.GetDbTransaction() != work.Transaction)
        {
            _transaction = null;
            await EndedWithoutOutcomeAsync(work).ConfigureAwait(false);
        }
    }

    private async Task EndedWithoutOutcomeAsync(TransactionWork work)
    {
        if (work.IsEmpty)
        {
            return;
        }

        if (work.OwnedByEf)
        {
            // EF began it and did not commit it: disposing an uncommitted transaction rolls it back.
            await DeleteUploadsAsync(work.Uploads, "its transaction ended without a commit").ConfigureAwait(false);
        }
        else
        {
            Log.TransactionOutcomeUnknown(_logger, work.Uploads.Count, work.OldFiles.Count);
        }

        // Committed or not, the database knows: a committed entry is owed to the ledger sweep, a rolled-back one is gone.
        ForgetLedgerEntries(work.OldFiles);
    }

    private SaveBatch? TakeBatch()
    {
        var batch = _batch;
        _batch = null;
        if (batch?.Context is { } context)
        {
            batch.Context = null;
            try
            {
                context.SaveChangesFailed -= OnSaveChangesFailed;
            }
            catch (ObjectDisposedException)
            {
                // The context is gone, and its events with it.
            }
        }

        return batch;
    }

    private TransactionWork? Take(DbTransaction transaction)
    {
        var work = _transaction;
        if (work is null || work.Transaction != transaction)
        {
            return null;
        }

        _transaction = null;
        return work;
    }

    /// <summary>
    /// Deletes uploads whose rows never committed, then their pending entries; an upload that cannot be deleted keeps its
    /// entry, and the ledger sweep deletes it once it expires. Not cancellable: a cancelled save must still clean up.
    /// </summary>
    private async Task DeleteUploadsAsync(List<StoredObject> uploads, string reason)
    {
        foreach (var upload in uploads)
        {
            try
            {
                await upload.Storage.DeleteAsync(upload.Name, CancellationToken.None).ConfigureAwait(false);
                if (upload.Ledger is { } entry)
                {
                    await FileLedger.RemovePendingAsync(_context.Context, entry.Id, CancellationToken.None).ConfigureAwait(false);
                }

                Log.UploadRemoved(_logger, upload.Storage.Name, upload.Name, reason);
            }
#pragma warning disable CA1031 // A failed clean-up must not hide the error that caused it; the sweeper finishes the job.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.UploadRemoveFailed(_logger, ex, upload.Storage.Name, upload.Name);
            }
        }
    }

    /// <summary>
    /// Deletes old files after the commit, and their ledger entries once they are gone. Never throws: the database
    /// already holds the new state, and a failure here (or a cancellation) leaves the entry for the ledger sweep, or,
    /// without a ledger, an orphan for the full sweep.
    /// </summary>
    private async Task DeleteOldFilesAsync(List<StoredObject> oldFiles, CancellationToken cancellationToken)
    {
        using var activity = oldFiles.Count > 0 ? EfTelemetry.StartCleanup(oldFiles.Count) : null;
        foreach (var old in oldFiles)
        {
            try
            {
                await old.Storage.DeleteAsync(old.Name, cancellationToken).ConfigureAwait(false);
                if (old.Ledger is { } entry)
                {
                    await FileLedger.RemoveAsync(_context.Context, entry.Id, cancellationToken).ConfigureAwait(false);
                }

                Log.OldFileDeleted(_logger, old.Storage.Name, old.Name);
            }
#pragma warning disable CA1031 // The commit has happened; reporting a failure as an exception would misreport the save.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (old.Ledger is not null)
                {
                    Log.OldFileDeleteOwed(_logger, ex, old.Storage.Name, old.Name);
                }
                else
                {
                    Log.OldFileDeleteFailed(_logger, ex, old.Storage.Name, old.Name);
                }
            }
        }

        ForgetLedgerEntries(oldFiles);
    }

    /// <summary>Stops tracking the ledger entries of <paramref name="objects"/>: the database row is the record, not the context.</summary>
    private void ForgetLedgerEntries(List<StoredObject> objects)
    {
        try
        {
            foreach (var old in objects)
            {
                if (old.Ledger is { } entry)
                {
                    _context.Context.Entry(entry).State = EntityState.Detached;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The context is gone (this runs as it is disposed), and what it tracked with it.
        }
    }

    /// <summary>
    /// An object in a storage, and its ledger entry if the ledger is mapped: the duty to delete an old file, or the record
    /// of a pending upload.
    /// </summary>
    private sealed record StoredObject(FileStorage Storage, string Name, FileLedgerEntry? Ledger = null);

    private sealed record DirectCommit(DirectUpload Upload, FileField Field, FileStorage Storage);

    private sealed record PlannedUpload(PropertyEntry Entry, StoredFile Value, FileField Field, FileStorage Storage);

    private sealed class SaveBatch
    {
        public List<StoredObject> Uploads { get; } = [];

        public List<StoredObject> OldFiles { get; } = [];

        public List<(PropertyEntry Entry, StoredFile Pending)> Replaced { get; } = [];

        /// <summary>Files assigned by name (direct uploads, existing objects) that the field's handler adopts in this save.</summary>
        public List<PlannedUpload> Adoptions { get; } = [];

        /// <summary>What the store said of each direct upload this save commits (storage, name), so adoption asks no second time.</summary>
        public Dictionary<(string Storage, string Name), StoredFileInfo> CommittedInfo { get; } = [];

        /// <summary>Direct uploads this save commits; nothing to undo if it fails (they stay pending).</summary>
        public List<DirectCommit> Commits { get; } = [];

        /// <summary>The context whose <c>SaveChangesFailed</c> event we listen to while the batch waits for the database.</summary>
        public DbContext? Context { get; set; }

        public bool IsEmpty => Uploads.Count == 0 && OldFiles.Count == 0;
    }

    private sealed class TransactionWork(DbTransaction transaction, bool ownedByEf)
    {
        public DbTransaction Transaction { get; } = transaction;

        public bool OwnedByEf { get; } = ownedByEf;

        public List<StoredObject> Uploads { get; } = [];

        public List<StoredObject> OldFiles { get; } = [];

        public bool IsEmpty => Uploads.Count == 0 && OldFiles.Count == 0;
    }
}
