using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coffer;

/// <summary>
/// The health check of one storage (<c>AddCofferStorageChecks</c>): <see cref="FileStorage.CheckHealthCoreAsync"/>, then,
/// with <see cref="CofferHealthCheckOptions.CheckWrite"/>, a probe file saved and deleted. It answers within its timeout
/// even when the store ignores cancellation or blocks its thread (a dead network mount): the probe runs on the thread
/// pool and the check stops waiting for it. A probe still running from an earlier check is waited for rather than
/// joined by another, so a hung store does not collect one blocked probe per poll of <c>/healthz</c>.
/// </summary>
internal sealed class FileStorageHealthCheck(FileStorage storage, TimeSpan timeout, bool checkWrite) : IHealthCheck
{
    private Task? _running;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var probe = Volatile.Read(ref _running) is { IsCompleted: false } earlier ? earlier : Start(cancellationToken);
        try
        {
            await probe.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the health check service's own cancellation (its shutdown, or a registration's Timeout)
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return new HealthCheckResult(status,
                string.Create(CultureInfo.InvariantCulture, $"Storage '{storage.Name}' did not answer within {timeout.TotalSeconds:0.###} s."));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new HealthCheckResult(status, Describe(ex), ex);
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var probe = Task.Run(async () =>
        {
            using (deadline)
            {
                await storage.CheckHealthCoreAsync(FileStorage.HealthProbeName, deadline.Token).ConfigureAwait(false);
                if (checkWrite)
                {
                    await storage.ProbeWriteAsync(timeout, deadline.Token).ConfigureAwait(false);
                }
            }
        }, CancellationToken.None);
        // A probe the check stopped waiting for may fail later; its exception is observed here, not at finalization.
        _ = probe.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Volatile.Write(ref _running, probe);
        return probe;
    }

    /// <summary>
    /// What a failure says: Coffer's own exceptions are written to be shown (storage, bucket or folder, and the fix; no
    /// key, no signed URL); anything else is named by its type and first line.
    /// </summary>
    private string Describe(Exception ex) => ex is StorageUnavailableException or UnauthorizedAccessException or IOException
        ? ex.Message
        : $"Storage '{storage.Name}' failed its check: {ex.GetType().Name}: {ex.Message.Split('\n', 2)[0].Trim()}";
}
