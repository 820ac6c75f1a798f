namespace Coffer;

// What Coffer's health checks (AddCofferStorageChecks) ask of a storage. Apart from the one hook, nothing here is public:
// the probes use names no stored file can have, so they never reach a caller's file, and only the check calls them.
public abstract partial class FileStorage
{
    /// <summary>
    /// The name the read probe looks up: it starts with the reserved prefix (<c>.coffer-</c>), which no stored name may have,
    /// so the answer is always "no such file" from a store that works.
    /// </summary>
    internal const string HealthProbeName = FileNames.ReservedPrefix + "health-check";

    // Non-empty (an empty file is refused by default) and self-explanatory to whoever finds a leftover.
    private static readonly byte[] HealthProbeContent = "Written by a Coffer health check, which deletes it at once; safe to delete.\n"u8.ToArray();

    /// <summary>
    /// Checks that the backing store serves this storage: it answers, its container (a folder, a bucket) is there, and it
    /// accepts the credentials. Coffer's health check (<c>AddCofferStorageChecks</c>) calls it with a token that the
    /// check's timeout cancels. The default looks up a name no file can have (<see cref="ExistsCoreAsync"/>); a backend
    /// whose store answers "no such file" when the container itself is missing overrides it.
    /// </summary>
    /// <param name="probeName">A name to look up that no stored file can have (it starts with the reserved <c>.coffer-</c>).</param>
    /// <param name="cancellationToken">Cancelled when the check gives up.</param>
    /// <exception cref="StorageUnavailableException">The store cannot serve the storage; the message says why and holds no secret.</exception>
    /// <exception cref="UnauthorizedAccessException">The store refused the credentials or the permission.</exception>
    protected internal virtual Task CheckHealthCoreAsync(string probeName, CancellationToken cancellationToken) =>
        ExistsCoreAsync(probeName, cancellationToken);

    /// <summary>
    /// Saves a small file under a reserved name of its own (<c>.coffer-health-{random}.tmp</c>, so that two instances
    /// never share one) and deletes it. The delete runs whatever became of the save, under a timeout of its own rather
    /// than <paramref name="cancellationToken"/>, so a check that gave up still removes what it wrote.
    /// </summary>
    /// <param name="cleanupTimeout">How long the delete may take.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="IOException">The save or the delete failed; a delete's failure names the file it left.</exception>
    internal async Task ProbeWriteAsync(TimeSpan cleanupTimeout, CancellationToken cancellationToken)
    {
        // The local disk's unfinished-upload pattern (.coffer-….tmp): listings skip it and the sweeper removes a leftover.
        string name = string.Concat(FileNames.ReservedPrefix, "health-", Guid.NewGuid().ToString("N"), ".tmp");
        var options = new FileSaveOptions { ExactName = true, ContentType = "text/plain", ContentLength = HealthProbeContent.Length };
        try
        {
            using var content = new MemoryStream(HealthProbeContent, writable: false);
            await SaveCoreAsync(AvailableNames.Exact(name, int.MaxValue, overwrite: false), content, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A save that failed (or timed out) may have stored the file all the same; its failure is what the check reports.
            await DeleteProbeAsync(name, cleanupTimeout).ConfigureAwait(false);
            throw;
        }

        if (await DeleteProbeAsync(name, cleanupTimeout).ConfigureAwait(false) is { } failure)
        {
            throw new StorageUnavailableException(Name,
                $"Storage '{Name}' wrote its health probe but could not delete it ({FirstLine(failure.Message)}); delete '{GetFullKey(name)}' by hand.", failure);
        }
    }

    /// <summary>Deletes the write probe under a timeout of its own; returns what the delete failed with, which is logged.</summary>
    private async Task<Exception?> DeleteProbeAsync(string name, TimeSpan timeout)
    {
        using var cleanup = new CancellationTokenSource(timeout);
        try
        {
            await DeleteCoreAsync(name, cleanup.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HealthProbeLeft(Logger, ex, Name, GetFullKey(name));
            return ex;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd('.');
}
