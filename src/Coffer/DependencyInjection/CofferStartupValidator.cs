using Coffer.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>An options type with no settings, validated at start-up so that every storage is built before the app serves.</summary>
internal sealed class CofferStartupCheck;

/// <summary>
/// Builds every storage at start-up (through <c>ValidateOnStart</c>) and reports every bad setting at once, each
/// named by its configuration key. Also refuses local folders that would expose one storage through another.
/// </summary>
internal sealed class CofferStartupValidator(CofferStorageSet storages, CofferConfiguration configuration, SigningKeyFile keyFile, IOptions<CofferOptions> cofferOptions)
    : IValidateOptions<CofferStartupCheck>
{
    private static readonly string[] TopLevelKeys = [nameof(CofferOptions.RoutePrefix), nameof(CofferOptions.DataPath), CofferConfiguration.StoragesKey, CofferSweeperOptions.SectionName];

    public ValidateOptionsResult Validate(string? name, CofferStartupCheck options)
    {
        var failures = new List<string>();
        foreach (var child in configuration.Section?.GetChildren() ?? [])
        {
            if (!TopLevelKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{child.Path}: is not a Coffer setting. The settings are: {string.Join(", ", TopLevelKeys)}.");
            }
        }

        try
        {
            _ = cofferOptions.Value;
        }
        catch (OptionsValidationException ex)
        {
            // Every storage depends on these settings; its own failures would only repeat them.
            failures.AddRange(ex.Failures);
            return ValidateOptionsResult.Fail(failures);
        }

        var local = new List<LocalFileStorage>();
        foreach (string storageName in storages.Names.Order(StringComparer.Ordinal))
        {
            try
            {
                if (storages.GetStorage(storageName) is LocalFileStorage storage)
                {
                    local.Add(storage);
                }
            }
            catch (OptionsValidationException ex)
            {
                failures.AddRange(ex.Failures);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex.Message);
            }
        }

        foreach (var storage in local)
        {
            string path = CofferConfiguration.StoragePath(storage.Name);
            if (Contains(storage.RootDirectory, keyFile.Path))
            {
                failures.Add($"{path}:Location: the storage's folder '{storage.RootDirectory}' holds the URL signing key file '{keyFile.Path}'. Give the storage a Location of its own.");
            }

            if (storage.Options.Visibility != FileVisibility.Public)
            {
                continue;
            }

            foreach (var other in local)
            {
                if (!ReferenceEquals(other, storage) && (other.RootDirectory == storage.RootDirectory || Contains(storage.RootDirectory, other.RootDirectory)))
                {
                    failures.Add($"{path}:Location: the public storage's folder '{storage.RootDirectory}' holds the folder of storage '{other.Name}', "
                        + "whose files it would serve without a signature. Give each storage a Location of its own.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool Contains(string folder, string path) =>
        path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

/// <summary>Checks the Coffer-wide settings.</summary>
internal sealed class CofferOptionsValidator : IValidateOptions<CofferOptions>
{
    public ValidateOptionsResult Validate(string? name, CofferOptions options)
    {
        var failures = new List<string>();
        if (options.RoutePrefix is not { Length: > 0 } prefix || prefix[0] != '/' || prefix.Contains('{', StringComparison.Ordinal) || prefix.Contains('?', StringComparison.Ordinal))
        {
            failures.Add($"Coffer:{nameof(CofferOptions.RoutePrefix)}: must be a path that starts with '/' (such as '/coffer'), but is '{options.RoutePrefix}'.");
        }

        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add($"Coffer:{nameof(CofferOptions.DataPath)}: must name a folder (relative to the content root, or absolute).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Binds the sweeper's settings from <c>Coffer:Sweeper</c>.</summary>
internal sealed class CofferSweeperOptionsSetup(CofferConfiguration configuration) : IConfigureOptions<CofferSweeperOptions>
{
    public void Configure(CofferSweeperOptions options)
    {
        if (configuration.Section?.GetSection(CofferSweeperOptions.SectionName) is { } section && section.Exists())
        {
            section.Bind(options);
        }
    }
}

/// <summary>Binds the Coffer-wide settings from the <c>Coffer</c> section.</summary>
internal sealed class CofferOptionsSetup(CofferConfiguration configuration) : IConfigureOptions<CofferOptions>
{
    public void Configure(CofferOptions options)
    {
        if (configuration.Section is { } section && section.Exists())
        {
            section.Bind(options);
        }
    }
}
