using System.Diagnostics;

namespace Coffer.TestSupport;

/// <summary>
/// A PostgreSQL cluster of one test fixture's own (<c>scripts/postgres.sh</c> on a free port and a folder of its own),
/// which the test may stop and start again under a running app, for database outages. Never the shared cluster of
/// <c>COFFER_PG_CONNECTION</c>: stopping that would fail every other test that uses it.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly string _script;
    private readonly Dictionary<string, string> _environment;
    private readonly string _dataDirectory;

    private PostgresCluster(string script, int port, string dataDirectory, string connectionString)
    {
        _script = script;
        _dataDirectory = dataDirectory;
        _environment = new() { ["COFFER_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["COFFER_PG_DIR"] = dataDirectory };
        ConnectionString = connectionString;
    }

    /// <summary>The server's connection string (database <c>postgres</c>), as the script prints it.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether the server is running (<see cref="StopAsync"/> makes it false, <see cref="StartAgainAsync"/> true).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Creates and starts a new cluster with the project's script, on a free loopback port.</summary>
    /// <param name="repositoryRoot">The folder that holds <c>scripts/postgres.sh</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<PostgresCluster> StartAsync(string repositoryRoot, CancellationToken cancellationToken = default)
    {
        string script = Path.Combine(repositoryRoot, "scripts", "postgres.sh");
        // Under /tmp, not the user's temp folder: the server runs as the postgres user, who must be able to reach it,
        // and its socket lives in it (a Unix socket path has at most 107 characters).
        string dataDirectory = $"/tmp/coffer-pg-fault-{Guid.NewGuid().ToString("N")[..12]}";
        int port = LoopbackPort.Free();
        var cluster = new PostgresCluster(script, port, dataDirectory, "");
        string output = await RunAsync("bash", [script, "start"], cluster._environment, cancellationToken);
        string connection = output.Split('\n').Select(line => line.Trim())
            .FirstOrDefault(line => line.StartsWith("COFFER_PG_CONNECTION=", StringComparison.Ordinal))?["COFFER_PG_CONNECTION=".Length..]
            ?? throw new InvalidOperationException($"scripts/postgres.sh start printed no COFFER_PG_CONNECTION: {output}");
        return new PostgresCluster(script, port, dataDirectory, connection) { IsRunning = true };
    }

    /// <summary>Stops the server as an operator would (<c>pg_ctl stop -m fast</c>): sessions are ended, new connections refused.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(["-D", _dataDirectory, "stop", "-m", "fast", "-w"], cancellationToken);
        IsRunning = false;
    }

    /// <summary>Starts the stopped server again on the same port, with its data.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(["-D", _dataDirectory, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60", "start"], cancellationToken);
        IsRunning = true;
    }

    /// <summary>Stops the server (if it runs) and deletes its data, through the script's <c>stop</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsRunning)
        {
            await StartAgainAsync(); // the script's stop stops a running server; it would report a stopped one as a failure
        }

        await RunAsync("bash", [_script, "stop"], _environment, CancellationToken.None);
    }

    private static Task<string> PgCtlAsync(string[] arguments, CancellationToken cancellationToken)
    {
        string pgCtl = Path.Combine(PostgresBin(), "pg_ctl");
        // As the script does: the server refuses to run as root, so pg_ctl runs as postgres.
        return Environment.UserName == "postgres"
            ? RunAsync(pgCtl, arguments, null, cancellationToken)
            : RunAsync("runuser", ["-u", "postgres", "--", pgCtl, .. arguments], null, cancellationToken);
    }

    private static string PostgresBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderBy(bin => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : new Version(0, 0))
                .LastOrDefault() ?? throw new InvalidOperationException("No pg_ctl under /usr/lib/postgresql/*/bin: run scripts/postgres.sh start once to install PostgreSQL.")
            : throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql): run scripts/postgres.sh start once to install it.");

    private static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }

        string output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {output}{await stderr}");
        }

        return output;
    }
}
