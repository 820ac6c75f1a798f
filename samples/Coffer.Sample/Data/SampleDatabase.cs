using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Coffer.Sample.Data;

/// <summary>
/// Chooses the database from configuration: <c>Database:Provider</c> is <c>Sqlite</c> (default: a file under the content
/// root's App_Data, nothing to set up) or <c>PostgreSQL</c> (<c>ConnectionStrings:PostgreSQL</c>, for several app instances).
/// </summary>
public static class SampleDatabase
{
    public static IServiceCollection AddSampleDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        string provider = configuration["Database:Provider"] ?? "Sqlite";
        if (provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            string connection = configuration.GetConnectionString("PostgreSQL")
                ?? throw new InvalidOperationException("Database:Provider is PostgreSQL, but ConnectionStrings:PostgreSQL is not set.");
            // The API runs a few small queries very often, so: Npgsql prepares each once per connection (PostgreSQL then
            // skips parsing and planning it), and hands a connection back to its pool without the session reset
            // (DISCARD ALL), which this app does not need since it never changes session state. In a connection string
            // the last value of a keyword wins, so the configured string can override both.
            connection = $"Max Auto Prepare=20;No Reset On Close=true;{connection}";
            // A restart of the server (or a failover) ends every pooled connection: the first command on one fails (57P01),
            // that request gets the database's 503 with Retry-After, and Npgsql empties its pool, so the next request is
            // served. No EF retrying strategy: it cost about 30 % of the list endpoint's throughput on every request
            // (bench/web/run.sh, with and without it), to spare one request per restart.
            services.AddDbContextPool<SampleDbContext, PostgreSqlSampleDbContext>((sp, o) =>
                o.UseNpgsql(connection)
                    .UseCoffer(sp.GetRequiredService<IFileStorageProvider>()));
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            string connection = UnderContentRoot(configuration.GetConnectionString("Sqlite") ?? "Data Source=App_Data/coffer-sample.db", environment.ContentRootPath);
            services.AddDbContextPool<SampleDbContext, SqliteSampleDbContext>((sp, o) =>
                o.UseSqlite(connection).UseCoffer(sp.GetRequiredService<IFileStorageProvider>()));
        }
        else
        {
            throw new InvalidOperationException($"Database:Provider must be Sqlite or PostgreSQL, but is '{provider}'.");
        }

        services.AddSingleton<FileQueries>();
        services.AddHostedService<FileLedgerSweeper>();
        return services;
    }

    /// <summary>
    /// Applies the migrations of the configured provider. A SQLite file is created first, readable by the app's user
    /// only, since it holds password hashes.
    /// </summary>
    public static async Task MigrateSampleDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        if (db.Database.IsSqlite() && SqliteFile(db.Database.GetDbConnection().ConnectionString) is { } file && CreatePrivateFile(file))
        {
            // EF Core turns WAL on when it creates the file itself; it now finds the file there, so it is done here.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = 'wal';");
        }

        await db.Database.MigrateAsync();
    }

    /// <summary>
    /// A relative database file is under the content root, as the local storages' folders are: SQLite would take it
    /// from the working directory, and an app started elsewhere (<c>--contentRoot</c>) would find another database.
    /// </summary>
    private static string UnderContentRoot(string connectionString, string contentRoot)
    {
        if (SqliteFile(connectionString) is null)
        {
            return connectionString;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        builder.DataSource = Path.GetFullPath(builder.DataSource, contentRoot);
        return builder.ConnectionString;
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static string? SqliteFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" || builder.DataSource.StartsWith("file:", StringComparison.Ordinal)
            ? null
            : Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// Creates an empty database file with mode 0600 (in a new folder with mode 0700), and returns whether it did.
    /// SQLite gives its -wal, -shm and -journal files the mode of the database file, so they are private too.
    /// </summary>
    private static bool CreatePrivateFile(string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder); // the file inherits the folder's ACL; SQLite creates it
            return false;
        }

        // Only a folder made here is 0700; an existing one keeps the mode its owner gave it.
        Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
        try
        {
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
            }

            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // A database from before (an earlier version created it 0644): it and its journal files become private.
            foreach (string file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & GroupOrOther) != 0)
                {
                    File.SetUnixFileMode(file, OwnerOnly);
                }
            }

            return false;
        }
    }
}

/// <summary>For <c>dotnet ef migrations add … --context SqliteSampleDbContext</c>.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSampleDbContext>
{
    public SqliteSampleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add … --context PostgreSqlSampleDbContext</c>.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlSampleDbContext>
{
    public PostgreSqlSampleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlSampleDbContext>().UseNpgsql("Host=localhost").Options);
}
