using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>One database and one set of storages ("private" and "public") for a test class.</summary>
public abstract class FileFieldFixture(ITestDatabase database, IStorageFactory storages) : IAsyncLifetime
{
    public ITestDatabase Database { get; } = database;

    public IStorageFactory StorageFactory { get; } = storages;

    public FileStorage Private { get; private set; } = null!;

    public FileStorage Public { get; private set; } = null!;

    public FileStorageRegistry Storages { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await StorageFactory.InitializeAsync();
        Private = StorageFactory.Create("private", FileVisibility.Private);
        Public = StorageFactory.Create("public", FileVisibility.Public);
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
        await StorageFactory.DisposeAsync();
    }
}

public sealed class SqliteLocalFixture() : FileFieldFixture(new SqliteDatabase(), new LocalStorageFactory());

public sealed class PostgresLocalFixture() : FileFieldFixture(new PostgresDatabase(), new LocalStorageFactory());

public sealed class SqliteS3Fixture() : FileFieldFixture(new SqliteDatabase(), new S3StorageFactory());

public sealed class PostgresS3Fixture() : FileFieldFixture(new PostgresDatabase(), new S3StorageFactory());
