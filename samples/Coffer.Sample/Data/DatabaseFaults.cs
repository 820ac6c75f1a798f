using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coffer.Sample.Data;

/// <summary>
/// Tells a database that cannot be reached (down, restarting, refusing connections, locked) from a database that
/// answered with an error: the first is a 503 that says "try again in a moment", the second stays a server error.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>What a 503 asks the client to wait before it tries again, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    // SQLite's primary result codes (https://www.sqlite.org/rescode.html): another connection holds the lock past the
    // busy timeout, or the file cannot be opened (its folder is gone, unmounted, or not readable).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCannotOpen = 14;

    /// <summary>
    /// Whether <paramref name="exception"/>, or an exception it wraps (EF Core wraps provider exceptions in
    /// <c>DbUpdateException</c> and, for transient ones, <see cref="InvalidOperationException"/>), says the database could
    /// not be reached.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // An answer from a running server counts only when it is about the connection: class 08, the server
                // shutting down or starting up (57P01-57P03), or out of connections (53300). Anything else it says
                // (a constraint, a syntax error) is a bug or a conflict, not an outage.
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                // Any other Npgsql exception is Npgsql failing to reach the server, or losing it mid-request.
                case NpgsqlException:
                    return true;
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCannotOpen;
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }
}
