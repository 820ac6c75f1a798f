using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>The file ledger of <typeparamref name="TContext"/> as the ledger of direct uploads: each record on a context of its own, in autocommit.</summary>
internal sealed class DbContextPendingUploadLedger<TContext>(IServiceScopeFactory scopes, TimeProvider? clock = null) : IPendingUploadLedger
    where TContext : DbContext
{
    public Task<PendingUploadEntry> RecordAsync(string storage, string name, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(storage);
        FileNames.Validate(name);
        return WithContextAsync(async context =>
        {
            var entry = await FileLedger.RecordPendingAsync(context, storage, name, Now, dueAt.UtcDateTime, cancellationToken).ConfigureAwait(false);
            return new PendingUploadEntry(entry.Id, entry.NextAttemptAt);
        });
    }

    public Task<bool> TryAbandonAsync(PendingUploadEntry entry, CancellationToken cancellationToken) =>
        WithContextAsync(context => FileLedger.TryAbandonAsync(context, entry.Id, entry.DueAt, Now, cancellationToken));

    public Task ForgetAsync(long id, CancellationToken cancellationToken) =>
        WithContextAsync(async context =>
        {
            await FileLedger.RemovePendingAsync(context, id, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private DateTime Now => (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;

    private async Task<T> WithContextAsync<T>(Func<TContext, Task<T>> work)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            if (!FileLedger.IsMapped(context))
            {
                throw new InvalidOperationException($"{typeof(TContext).Name}'s model has no file ledger: call modelBuilder.AddCofferFileLedger() in OnModelCreating and add a migration.");
            }

            return await work(context).ConfigureAwait(false);
        }
    }
}
