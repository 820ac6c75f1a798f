using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>
/// Sweeps every storage (or those named) for leftovers of unfinished uploads when the host starts, then every
/// <see cref="CofferSweeperOptions.Interval"/>. Several instances may run it at once: a sweep only removes leftovers
/// older than the grace period, which no upload still writes to, and removing one twice finds it gone.
/// </summary>
internal sealed class CofferSweeper(IFileStorageProvider storages, IOptions<CofferSweeperOptions> options,
    ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(Log.Category);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, _time);
        do
        {
            await SweepOnceAsync(settings, stoppingToken).ConfigureAwait(false);
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One run over the storages; a storage that fails is logged and tried again on the next run.</summary>
    internal async Task SweepOnceAsync(CofferSweeperOptions settings, CancellationToken cancellationToken)
    {
        // One span per run, the storages' sweep spans under it.
        using var run = CofferTelemetry.Source.StartActivity("coffer.sweeper.run");
        IEnumerable<string> names = settings.Storages.Count > 0 ? settings.Storages : storages.Names.Order(StringComparer.Ordinal);
        foreach (string name in names)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                var removed = await storages.GetStorage(name).SweepUnfinishedUploadsAsync(settings.GracePeriod, settings.DryRun, cancellationToken).ConfigureAwait(false);
                Log.SweepCompleted(_logger, name, removed.Count, settings.DryRun, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One unreachable store (or a leftover another instance removed under it) must not stop the others.
                Log.SweepFailed(_logger, ex, name);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Checks the sweeper's settings at start-up, each failure named by its configuration key.</summary>
internal sealed class CofferSweeperOptionsValidator(IFileStorageProvider storages, CofferConfiguration configuration) : IValidateOptions<CofferSweeperOptions>
{
    private const string Path = $"{CofferOptions.SectionName}:{CofferSweeperOptions.SectionName}";

    public ValidateOptionsResult Validate(string? name, CofferSweeperOptions options)
    {
        var failures = new List<string>();
        string[] keys = [.. typeof(CofferSweeperOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order(StringComparer.Ordinal)];
        foreach (var child in configuration.Section?.GetSection(CofferSweeperOptions.SectionName).GetChildren() ?? [])
        {
            if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{child.Path}: is not a setting of the sweeper. Its settings are: {string.Join(", ", keys)}.");
            }
        }

        if (options.Interval <= TimeSpan.Zero)
        {
            failures.Add($"{Path}:{nameof(CofferSweeperOptions.Interval)}: must be positive (such as '01:00:00'), but is '{options.Interval}'.");
        }

        if (options.GracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{Path}:{nameof(CofferSweeperOptions.GracePeriod)}: must not be negative, but is '{options.GracePeriod}'.");
        }

        var known = new HashSet<string>(storages.Names, StringComparer.OrdinalIgnoreCase);
        foreach (string storage in options.Storages.Where(s => !known.Contains(s)))
        {
            failures.Add($"{Path}:{nameof(CofferSweeperOptions.Storages)}: no storage is named '{storage}'. Configured storages: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
