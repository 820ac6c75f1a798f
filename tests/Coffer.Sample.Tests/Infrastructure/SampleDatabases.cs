using Coffer.TestSupport;
using Npgsql;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>The database an app under test runs on; it gives the app its settings (as environment variables).</summary>
public interface ISampleDatabase : IAsyncDisposable
{
    /// <summary>Creates the database for one app and returns the settings that point the app at it.</summary>
    Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken);
}

/// <summary>The embedded default: no settings at all, so the app makes <c>App_Data/coffer-sample.db</c> in its content root.</summary>
public sealed class SqliteSampleDatabase : ISampleDatabase
{
    public Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the file goes with the content root
}

/// <summary>A fresh database on the cluster that <c>scripts/postgres.sh start</c> runs, dropped at the end.</summary>
public sealed class PostgresSampleDatabase : ISampleDatabase
{
    public const string DefaultConnection = "Host=127.0.0.1;Port=54329;Username=postgres;Password=postgres";

    private readonly string _server =
        Environment.GetEnvironmentVariable("COFFER_PG_CONNECTION") is { Length: > 0 } value ? value : DefaultConnection;

    private string _database = "";

    public async Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        string database = $"coffer_sample_{Guid.NewGuid():N}";
        try
        {
            await using var connection = new NpgsqlConnection(Admin(timeoutSeconds: 5));
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at '{_server}' (COFFER_PG_CONNECTION): run scripts/postgres.sh start. {ex.Message}", ex);
        }

        _database = database;
        return Settings(new NpgsqlConnectionStringBuilder(_server) { Database = database }.ConnectionString);
    }

    /// <summary>The settings that put an app on PostgreSQL at <paramref name="connectionString"/>.</summary>
    public static IReadOnlyDictionary<string, string> Settings(string connectionString) => new Dictionary<string, string>
    {
        ["Database__Provider"] = "PostgreSQL",
        ["ConnectionStrings__PostgreSQL"] = connectionString,
    };

    public async ValueTask DisposeAsync()
    {
        if (_database.Length == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(Admin(timeoutSeconds: 15));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
        _database = "";
    }

    private string Admin(int timeoutSeconds) =>
        new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Timeout = timeoutSeconds, Pooling = false }.ConnectionString;
}

/// <summary>
/// PostgreSQL on a cluster of the app's own (<see cref="PostgresCluster"/>), so that a test can stop the database under
/// the running app and start it again; the cluster and its data go with the app.
/// </summary>
public sealed class OwnPostgresSampleDatabase : ISampleDatabase
{
    private PostgresCluster? _cluster;

    /// <summary>The app's cluster, once the app has been created.</summary>
    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The database has not been created yet.");

    public async Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        _cluster = await PostgresCluster.StartAsync(TestPaths.RepositoryRoot, cancellationToken);
        // The cluster's own database: the cluster is the app's alone, and goes with it.
        return PostgresSampleDatabase.Settings(new NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Database = "postgres" }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
