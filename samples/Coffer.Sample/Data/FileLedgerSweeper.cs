using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Data;

/// <summary>
/// Every <c>Sample:LedgerSweepInterval</c> (default one minute), does what Coffer's file ledger still owes: the deletes of
/// old files that failed after their commit because the store was down. Several app instances may run it at once.
/// </summary>
public sealed partial class FileLedgerSweeper(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<FileLedgerSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Sample:LedgerSweepInterval", TimeSpan.FromMinutes(1));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
                var result = await db.SweepFileLedgerAsync(cancellationToken: stoppingToken);
                if (result.Done.Count + result.Failed.Count > 0)
                {
                    LogSwept(logger, result.Done.Count, result.Failed.Count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database may be down too; the next tick tries again.
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(9101, LogLevel.Information, "File ledger sweep: {Done} owed delete(s) done, {Failed} still failing")]
    private static partial void LogSwept(ILogger logger, int done, int failed);

    [LoggerMessage(9102, LogLevel.Warning, "File ledger sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
