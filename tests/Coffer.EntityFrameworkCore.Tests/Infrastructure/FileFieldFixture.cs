namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>One database and one set of storages ("private" and "public") for a test class of the file-field suite.</summary>
public abstract class FileFieldFixture(ITestDatabase database, IStorageFactory storages)
    : DatabaseFixture<TestDbContext>(database, storages, options => new TestDbContext(options));

public sealed class SqliteLocalFixture() : FileFieldFixture(new SqliteDatabase(), new LocalStorageFactory());

public sealed class PostgresLocalFixture() : FileFieldFixture(new PostgresDatabase(), new LocalStorageFactory());

public sealed class SqliteS3Fixture() : FileFieldFixture(new SqliteDatabase(), new S3StorageFactory());

public sealed class PostgresS3Fixture() : FileFieldFixture(new PostgresDatabase(), new S3StorageFactory());
