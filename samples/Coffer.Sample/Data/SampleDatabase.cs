using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Coffer.Sample.Data;

/// <summary>
/// Chooses the database from configuration: <c>Database:Provider</c> is <c>Sqlite</c> (default: a file under App_Data,
/// nothing to set up) or <c>PostgreSQL</c> (<c>ConnectionStrings:PostgreSQL</c>, for several app instances).
/// </summary>
public static class SampleDatabase
{
    public static IServiceCollection AddSampleDatabase(this IServiceCollection services, IConfiguration configuration)
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
            services.AddDbContextPool<SampleDbContext, PostgreSqlSampleDbContext>((sp, o) =>
                o.UseNpgsql(connection).UseCoffer(sp.GetRequiredService<IFileStorageProvider>()));
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            string connection = configuration.GetConnectionString("Sqlite") ?? "Data Source=App_Data/coffer-sample.db";
            services.AddDbContextPool<SampleDbContext, SqliteSampleDbContext>((sp, o) =>
                o.UseSqlite(connection).UseCoffer(sp.GetRequiredService<IFileStorageProvider>()));
        }
        else
        {
            throw new InvalidOperationException($"Database:Provider must be Sqlite or PostgreSQL, but is '{provider}'.");
        }

        services.AddSingleton<FileQueries>();
        return services;
    }

    /// <summary>Applies the migrations of the configured provider (creating the SQLite file's folder first).</summary>
    public static async Task MigrateSampleDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        if (db.Database.IsSqlite() && db.Database.GetDbConnection().DataSource is { Length: > 0 } file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        }

        await db.Database.MigrateAsync();
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
