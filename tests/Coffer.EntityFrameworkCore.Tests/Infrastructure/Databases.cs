using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A database for one test class: created before its first test, dropped after its last.</summary>
public interface ITestDatabase : IAsyncDisposable
{
    Task InitializeAsync(string className);

    void Configure(DbContextOptionsBuilder builder);

    /// <summary>The provider (<c>sqlite</c>, <c>postgres</c>) and connection string, for a process of another test program.</summary>
    (string Provider, string ConnectionString) Connection { get; }
}

/// <summary>A SQLite file in a temporary folder.</summary>
public sealed class SqliteDatabase : ITestDatabase
{
    private string _path = "";

    public Task InitializeAsync(string className)
    {
        _path = Path.Combine(Path.GetTempPath(), $"coffer-ef-{className}-{Guid.NewGuid():N}.db");
        return Task.CompletedTask;
    }

    public void Configure(DbContextOptionsBuilder builder) => builder.UseSqlite(Connection.ConnectionString);

    public (string Provider, string ConnectionString) Connection => ("sqlite", $"Data Source={_path};Pooling=False");

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-journal" })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A database of its own on the test cluster that <c>scripts/postgres.sh start</c> runs.</summary>
public sealed class PostgresDatabase : ITestDatabase
{
    public const string DefaultConnection = "Host=127.0.0.1;Port=54329;Username=postgres;Password=postgres";

    private readonly string _server;

    public PostgresDatabase(string? server = null) =>
        _server = server ?? (Environment.GetEnvironmentVariable("COFFER_PG_CONNECTION") is { Length: > 0 } value ? value : DefaultConnection);
    private string _database = "";
    private string _connectionString = "";

    public async Task InitializeAsync(string className)
    {
        string database = $"coffer_{className.ToLowerInvariant()}_{Guid.NewGuid():N}"[..48];
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at '{_server}' (COFFER_PG_CONNECTION): run scripts/postgres.sh start. {ex.Message}", ex);
        }

        _database = database;
        _connectionString = new NpgsqlConnectionStringBuilder(_server) { Database = database }.ConnectionString;
    }

    public void Configure(DbContextOptionsBuilder builder) => builder.UseNpgsql(_connectionString);

    public (string Provider, string ConnectionString) Connection => ("postgres", _connectionString);

    public async ValueTask DisposeAsync()
    {
        if (_database.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
