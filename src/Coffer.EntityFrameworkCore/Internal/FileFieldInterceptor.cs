using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// Takes part in <c>SaveChanges</c> and in the context's transactions on behalf of <see cref="FileFieldUnitOfWork"/>.
/// One instance per context. The synchronous methods (sync <c>SaveChanges</c>) block on the storage's asynchronous calls.
/// </summary>
internal sealed class FileFieldInterceptor(FileFieldUnitOfWork work) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // ----- SaveChanges -----

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context)
        {
            SyncOverAsync.Run(() => work.BeforeSaveAsync(context, CancellationToken.None));
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await work.BeforeSaveAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context)
        {
            SyncOverAsync.Run(() => work.AfterSaveAsync(context, CancellationToken.None));
        }

        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await work.AfterSaveAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => SyncOverAsync.Run(() => work.SaveFailedAsync(Reason(eventData.Exception)));

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        work.SaveFailedAsync(Reason(eventData.Exception));

    public void SaveChangesCanceled(DbContextEventData eventData) => SyncOverAsync.Run(() => work.SaveFailedAsync("cancelled"));

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        work.SaveFailedAsync("cancelled");

    // ----- Transactions -----

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        SyncOverAsync.Run(() => work.TransactionStartedAsync(result, ownedByEf: true));
        return result;
    }

    public async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await work.TransactionStartedAsync(result, ownedByEf: true).ConfigureAwait(false);
        return result;
    }

    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result)
    {
        SyncOverAsync.Run(() => work.TransactionStartedAsync(result, ownedByEf: false));
        return result;
    }

    public async ValueTask<DbTransaction> TransactionUsedAsync(DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await work.TransactionStartedAsync(result, ownedByEf: false).ConfigureAwait(false);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        SyncOverAsync.Run(() => work.TransactionCommittedAsync(transaction, CancellationToken.None));

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        work.TransactionCommittedAsync(transaction, cancellationToken);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        SyncOverAsync.Run(() => work.TransactionRolledBackAsync(transaction, "its transaction was rolled back"));

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        work.TransactionRolledBackAsync(transaction, "its transaction was rolled back");

    // A failed commit is taken as a rollback: that is what the provider reports, and the alternative (an ambiguous
    // commit that did happen) is the rare case that EF's own execution strategies cannot tell apart either.
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        SyncOverAsync.Run(() => work.TransactionRolledBackAsync(transaction, $"its transaction failed to {eventData.Action.ToLowerInvariant()}"));

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        work.TransactionRolledBackAsync(transaction, $"its transaction failed to {eventData.Action.ToLowerInvariant()}");

    private static string Reason(Exception exception) => exception switch
    {
        OperationCanceledException => "cancelled",
        DbUpdateConcurrencyException => "a concurrency conflict",
        DbUpdateException => "the database refused the save",
        _ => "the save failed",
    };
}

/// <summary>Settles the file work of a pooled context when it goes back to the pool.</summary>
internal sealed class FileFieldResetter(FileFieldUnitOfWork work) : IResettableService
{
    public void ResetState() => SyncOverAsync.Run(work.EndAsync);

    public Task ResetStateAsync(CancellationToken cancellationToken = default) => work.EndAsync().AsTask();
}
