using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// What <c>UseCoffer</c> adds to a context's options: the storages, and the services that bind, upload and clean up
/// file fields. The storages are read per context from its options, so contexts with different storages share one
/// internal service provider.
/// </summary>
internal sealed class CofferOptionsExtension(IFileStorageProvider storages) : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    public IFileStorageProvider Storages { get; } = storages;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        // Values read by queries learn their storage from their field, which the model's convention gives it.
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IConventionSetPlugin, FileFieldConventionSetPlugin>());
        services.Replace(ServiceDescriptor.Singleton<IModelCacheKeyFactory, CofferModelCacheKeyFactory>());
        services.TryAddScoped<FileFieldUnitOfWork>();
        // One instance per context takes part in SaveChanges and in its transactions, and is reset with a pooled context.
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IInterceptor, FileFieldInterceptor>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IResettableService, FileFieldResetter>());
    }

    public void Validate(IDbContextOptions options)
    {
        if (!options.Extensions.OfType<RelationalOptionsExtension>().Any())
        {
            throw new InvalidOperationException(
                "UseCoffer needs a relational database provider: call UseSqlite, UseNpgsql, UseSqlServer or another relational provider's method as well as UseCoffer. File fields are string columns, and the sweeper queries them.");
        }
    }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "using Coffer ";

        // The storages are read from each context's options, not baked into services: one provider for all of them.
        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["Coffer"] = "1";
    }
}
