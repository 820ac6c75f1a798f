using Coffer;
using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Turns on file fields for a <see cref="DbContext"/>.</summary>
public static class CofferDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Lets the context bind, upload and clean up <see cref="Coffer.EntityFrameworkCore.StoredFile"/> properties: fields read
    /// from the database know their storage (so <c>file.Url</c> just works), <c>SaveChanges</c> uploads pending content before
    /// the database commits and deletes it again if the save or its transaction fails, and old files are deleted after
    /// the commit. Call it next to the database provider's method (<c>UseSqlite</c>, <c>UseNpgsql</c>).
    /// </summary>
    /// <param name="optionsBuilder">The context's options builder.</param>
    /// <param name="storages">The named storages that file fields refer to (a <see cref="FileStorageRegistry"/>, or the app's registered provider).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Calling it again replaces the storages; it never adds a second set of services.</remarks>
    public static DbContextOptionsBuilder UseCoffer(this DbContextOptionsBuilder optionsBuilder, IFileStorageProvider storages)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentNullException.ThrowIfNull(storages);
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(new CofferOptionsExtension(storages));
        return optionsBuilder;
    }

    /// <inheritdoc cref="UseCoffer(DbContextOptionsBuilder, IFileStorageProvider)"/>
    public static DbContextOptionsBuilder<TContext> UseCoffer<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder, IFileStorageProvider storages)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseCoffer((DbContextOptionsBuilder)optionsBuilder, storages);
}
