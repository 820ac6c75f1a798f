using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coffer.Sample;

/// <summary>Healthy when every storage answers a request (an existence check of a name that is never used).</summary>
public sealed class StorageHealthCheck(IFileStorageProvider storages) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failures = new List<string>();
        foreach (string name in storages.Names)
        {
            try
            {
                await storages.GetStorage(name).ExistsAsync(".health-check", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add($"{name}: {ex.Message}");
            }
        }

        return failures.Count == 0
            ? HealthCheckResult.Healthy($"{storages.Names.Count} storages reachable")
            : HealthCheckResult.Unhealthy(string.Join("; ", failures));
    }
}
