using Coffer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds health checks of Coffer's storages: <c>services.AddHealthChecks().AddCofferStorageChecks()</c>.</summary>
public static class CofferHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per storage, named <see cref="CofferHealthCheckOptions.NamePrefix"/> and the storage's name
    /// (<c>storage:private</c>). A check is healthy when the store answers, its bucket or folder is there and it accepts
    /// the credentials (and, with <see cref="CofferHealthCheckOptions.CheckWrite"/>, when a probe file can be saved and
    /// deleted); otherwise it reports <see cref="CofferHealthCheckOptions.FailureStatus"/> with a description that says
    /// which ("the bucket 'media' does not exist", "403 Forbidden (SignatureDoesNotMatch)", "did not answer within 5 s")
    /// and holds no key or signed URL. It answers within <see cref="CofferHealthCheckOptions.Timeout"/> even if the store hangs.
    /// </summary>
    /// <remarks>Calls <c>AddCoffer()</c> if it was not called. The storages are those of <see cref="IFileStorageProvider"/>, read when the checks first run.</remarks>
    /// <param name="builder">The builder <c>AddHealthChecks()</c> returned.</param>
    /// <param name="configure">Sets the name prefix, timeout, failure status, tags and the write probe.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static IHealthChecksBuilder AddCofferStorageChecks(this IHealthChecksBuilder builder, Action<CofferHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CofferHealthCheckOptions();
        configure?.Invoke(options);
        var failures = new List<string>();
        if (options.NamePrefix is null)
        {
            failures.Add($"Property {nameof(CofferHealthCheckOptions.NamePrefix)}: must not be null; use \"\" for check names that are the storages' names.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout == System.Threading.Timeout.InfiniteTimeSpan)
        {
            failures.Add($"Property {nameof(CofferHealthCheckOptions.Timeout)}: must be positive and finite; it is {options.Timeout}.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", failures), nameof(configure));
        }

        builder.Services.AddCoffer();
        var settings = new Settings(options.NamePrefix!, options.Timeout, options.FailureStatus, options.CheckWrite, [.. options.Tags]);
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(sp => new Registrations(sp.GetRequiredService<IFileStorageProvider>(), settings));
        return builder;
    }

    private sealed record Settings(string NamePrefix, TimeSpan Timeout, HealthStatus FailureStatus, bool CheckWrite, string[] Tags);

    /// <summary>The storages' names come from configuration, so the checks are registered once the container is built.</summary>
    private sealed class Registrations(IFileStorageProvider storages, Settings settings) : IConfigureOptions<HealthCheckServiceOptions>
    {
        public void Configure(HealthCheckServiceOptions options)
        {
            foreach (string name in storages.Names.Order(StringComparer.Ordinal))
            {
                // One check per storage for the container's life: it remembers a probe that is still running.
                var check = new Lazy<FileStorageHealthCheck>(() => new FileStorageHealthCheck(storages.GetStorage(name), settings.Timeout, settings.CheckWrite));
                options.Registrations.Add(new HealthCheckRegistration(settings.NamePrefix + name, _ => check.Value, settings.FailureStatus, settings.Tags));
            }
        }
    }
}
