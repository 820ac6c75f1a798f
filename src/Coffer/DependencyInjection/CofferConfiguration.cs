using Microsoft.Extensions.Configuration;

namespace Coffer.DependencyInjection;

/// <summary>The <c>Coffer</c> configuration section: from the configuration given to AddCoffer, else the app's.</summary>
internal sealed class CofferConfiguration(IConfiguration? configuration)
{
    public const string StoragesKey = "Storages";

    /// <summary>The <c>Coffer</c> section; it may not exist. The section itself may be what the app passed.</summary>
    public IConfigurationSection? Section { get; } =
        configuration is IConfigurationSection { Key: var key } given
        && string.Equals(key, CofferOptions.SectionName, StringComparison.OrdinalIgnoreCase)
        && !given.GetSection(CofferOptions.SectionName).Exists()
            ? given
            : configuration?.GetSection(CofferOptions.SectionName);

    public IConfigurationSection? GetStorageSection(string name) => Section?.GetSection(StoragesKey).GetSection(name);

    public static string StoragePath(string name) => $"{CofferOptions.SectionName}:{StoragesKey}:{name}";
}

/// <summary>The configuration given explicitly to <c>AddCoffer(IConfiguration)</c>.</summary>
internal sealed class ExplicitCofferConfiguration(IConfiguration configuration)
{
    public IConfiguration Configuration { get; } = configuration;
}
