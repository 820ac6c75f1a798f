using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>One database and one set of storages ("private", "public" and "vault") for a test class, with a context type of its own.</summary>
public abstract class DatabaseFixture<TContext>(ITestDatabase database, IStorageFactory storages, Func<DbContextOptions<TContext>, TContext> newContext) : IAsyncLifetime
    where TContext : DbContext
{
    public ITestDatabase Database { get; } = database;

    public IStorageFactory StorageFactory { get; } = storages;

    public FileStorage Private { get; private set; } = null!;

    public FileStorage Public { get; private set; } = null!;

    /// <summary>A private storage with unique names (its default), whose uploads the file ledger records as pending.</summary>
    public FileStorage Vault { get; private set; } = null!;

    public FileStorageRegistry Storages { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await StorageFactory.InitializeAsync();
        Private = StorageFactory.Create("private", FileVisibility.Private);
        Public = StorageFactory.Create("public", FileVisibility.Public);
        Vault = StorageFactory.Create("vault", FileVisibility.Private, uniqueNames: true);
        Storages = new FileStorageRegistry([Private, Public, Vault]);
        await Database.InitializeAsync(GetType().Name.Replace("Fixture", "", StringComparison.Ordinal));
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public TContext CreateContext(Action<DbContextOptionsBuilder>? configure = null)
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        Database.Configure(builder);
        builder.UseCoffer(Storages);
        configure?.Invoke(builder);
        return newContext(builder.Options);
    }

    /// <summary>What the file ledger holds for names under <paramref name="folder"/>, read on a connection of its own.</summary>
    public async Task<List<FileLedgerEntry>> LedgerEntriesAsync(string folder)
    {
        await using var db = CreateContext();
        return await db.Set<FileLedgerEntry>().AsNoTracking().Where(e => e.Name.StartsWith(folder + "/")).ToListAsync();
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await StorageFactory.DisposeAsync();
    }
}

/// <summary>What a storage holds, for assertions.</summary>
public static class StorageContents
{
    /// <summary>Every file under <paramref name="directory"/>, recursively, sorted.</summary>
    public static async Task<List<string>> ListAllAsync(FileStorage storage, string directory)
    {
        var names = new List<string>();
        var listing = await storage.ListAsync(directory);
        names.AddRange(listing.Files.Select(f => directory + "/" + f));
        foreach (var sub in listing.Directories)
        {
            names.AddRange(await ListAllAsync(storage, directory + "/" + sub));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
