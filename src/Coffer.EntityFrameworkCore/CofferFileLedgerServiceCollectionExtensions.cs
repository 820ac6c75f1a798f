using Coffer;
using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a context's file ledger as the ledger of direct uploads.</summary>
public static class CofferFileLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Records every direct upload as pending in <typeparamref name="TContext"/>'s file ledger
    /// (<c>modelBuilder.AddCofferFileLedger()</c>) before its first byte, so an upload never committed is removed by
    /// <c>SweepFileLedgerAsync</c>: <c>services.AddCofferFileLedger&lt;AppDbContext&gt;()</c>, after <c>AddDbContext</c>.
    /// </summary>
    /// <typeparam name="TContext">The app's context, registered in the container, whose model maps the ledger.</typeparam>
    /// <param name="services">The app's services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddCofferFileLedger<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IPendingUploadLedger, DbContextPendingUploadLedger<TContext>>();
        return services;
    }
}
