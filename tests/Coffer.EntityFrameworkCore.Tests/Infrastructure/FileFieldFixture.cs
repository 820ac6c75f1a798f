using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>One database and one set of storages ("private" and "public") for a test class.</summary>
public abstract class FileFieldFixture(ITestDatabase database, IStorageFactory storages) : IAsyncLifetime
{
    public ITestDatabase Database { get; } = database;

    public FileStorage Private { get; private set; } = null!;

    public FileStorage Public { get; private set; } = null!;

    public FileStorageRegistry Storages { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Private = storages.Create("private", FileVisibility.Private);
        Public = storages.Create("public", FileVisibility.Public);
        Storages = new FileStorageRegistry([Private, Public]);
        await Database.InitializeAsync(GetType().Name.Replace("Fixture", "", StringComparison.Ordinal));
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public TestDbContext CreateContext(Action<DbContextOptionsBuilder>? configure = null)
    {
        var builder = new DbContextOptionsBuilder<TestDbContext>();
        Database.Configure(builder);
        builder.UseCoffer(Storages);
        configure?.Invoke(builder);
        return new TestDbContext(builder.Options);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await storages.DisposeAsync();
    }
}

public sealed class SqliteLocalFixture() : FileFieldFixture(new SqliteDatabase(), new LocalStorageFactory());

public sealed class PostgresLocalFixture() : FileFieldFixture(new PostgresDatabase(), new LocalStorageFactory());
