using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coffer;

/// <summary>Settings of the storage health checks that <c>AddCofferStorageChecks</c> adds, one check per storage.</summary>
public sealed class CofferHealthCheckOptions
{
    /// <summary>
    /// What each check's name starts with; the storage's name follows it (<c>storage:private</c>). Default: <c>storage:</c>.
    /// </summary>
    public string NamePrefix { get; set; } = "storage:";

    /// <summary>How long a check waits for its storage before it reports <see cref="FailureStatus"/>, whether or not the store gives up. Default: 5 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What a storage that fails its check reports. Default: <see cref="HealthStatus.Unhealthy"/>.</summary>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>
    /// Whether each check also saves a small file under a reserved name of its own and deletes it, to prove that the
    /// credentials may write. Off, a check only reads: on every probe of a busy <c>/healthz</c>, a write costs a PUT and
    /// a DELETE per storage. Default: <see langword="false"/>.
    /// </summary>
    public bool CheckWrite { get; set; }

    /// <summary>Tags for every check, to pick them in <c>MapHealthChecks(…, new() { Predicate = … })</c>. Default: none.</summary>
    public IList<string> Tags { get; } = new List<string>();
}
