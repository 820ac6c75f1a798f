using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// Gives each file field of a model the storages of the context it is built for, so that a value read by any query
/// (a projection, a compiled query, raw SQL) knows its storage. A model is built once per context type and set of
/// storages (<see cref="CofferModelCacheKeyFactory"/>), so a field never has to choose between two.
/// </summary>
internal sealed class FileFieldStorageConvention(IFileStorageProvider storages) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            foreach (var property in entityType.GetDeclaredProperties())
            {
                if (property.GetValueConverter() is FileFieldConverter converter)
                {
                    converter.Field.UseStorages(storages);
                }
            }
        }
    }
}

/// <summary>Adds <see cref="FileFieldStorageConvention"/> when a model is built for a context configured with <c>UseCoffer</c>.</summary>
internal sealed class FileFieldConventionSetPlugin(IDbContextOptions options) : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        if (options.FindExtension<CofferOptionsExtension>() is { } coffer)
        {
            conventionSet.Add(new FileFieldStorageConvention(coffer.Storages));
        }

        return conventionSet;
    }
}

/// <summary>
/// Keys EF Core's model cache by the context's storages as well as its type: two contexts of one type with different
/// storages (a test per backend, a tenant per storage set) get a model each, whose fields know their storages.
/// </summary>
internal sealed class CofferModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (new ModelCacheKey(context, designTime), context.GetService<IDbContextOptions>().FindExtension<CofferOptionsExtension>()?.Storages);
}
