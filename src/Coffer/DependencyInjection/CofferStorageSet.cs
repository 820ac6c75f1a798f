using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>
/// The app's named storages: the built-in <c>private</c> and <c>public</c>, those under <c>Coffer:Storages</c>, and
/// those added in code. Each is built once, on first use (or at start-up, by <see cref="CofferStartupValidator"/>).
/// Names are matched case-insensitively, as configuration keys are.
/// </summary>
internal sealed partial class CofferStorageSet : IFileStorageProvider
{
    public const string DefaultBackend = "Local";
    public const string BackendKey = "Backend";
    private static readonly string[] BuiltInNames = ["private", "public"];

    private readonly IServiceProvider _services;
    private readonly CofferConfiguration _configuration;
    private readonly Dictionary<string, CofferBackend> _backends = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CofferStorageDeclaration> _declared = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<FileStorage>> _storages = new(StringComparer.OrdinalIgnoreCase);
    private readonly Type[] _settingsTypes;

    public CofferStorageSet(IServiceProvider services, CofferConfiguration configuration,
        IEnumerable<CofferBackend> backends, IEnumerable<CofferStorageDeclaration> declarations, IEnumerable<CofferStorageSettings> settings)
    {
        _services = services;
        _settingsTypes = [.. settings.Select(s => s.Type)];
        _configuration = configuration;
        foreach (var backend in backends)
        {
            _backends[backend.Name] = backend; // the last registration wins
        }

        foreach (string name in BuiltInNames)
        {
            _names.TryAdd(name, name);
        }

        foreach (var section in configuration.Section?.GetSection(CofferConfiguration.StoragesKey).GetChildren() ?? [])
        {
            _names.TryAdd(section.Key, section.Key);
        }

        foreach (var declaration in declarations)
        {
            _names.TryAdd(declaration.Name, declaration.Name);
            _declared[declaration.Name] = declaration;
        }
    }

    public IReadOnlyCollection<string> Names => _names.Values;

    public FileStorage GetStorage(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGetStorage(name, out var storage)
            ? storage
            : throw new InvalidOperationException(
                $"No storage is named '{name}'. Configured storages: {string.Join(", ", Names.Order(StringComparer.Ordinal))}. Add it under Coffer:Storages in configuration, or with AddCoffer().AddStorage(…) in code.");
    }

    /// <summary>The storage called <paramref name="name"/>, or <see langword="false"/> when there is none.</summary>
    /// <exception cref="InvalidOperationException">The storage exists but its settings are invalid.</exception>
    /// <exception cref="OptionsValidationException">The storage's settings fail its validation.</exception>
    public bool TryGetStorage(string name, [NotNullWhen(true)] out FileStorage? storage)
    {
        if (!_names.TryGetValue(name, out string? canonical))
        {
            storage = null;
            return false;
        }

        storage = _storages.GetOrAdd(canonical, n => new Lazy<FileStorage>(() => Build(n))).Value;
        return true;
    }

    /// <summary>Refuses storage names that cannot be a URL segment or a keyed-service key without surprises.</summary>
    /// <exception cref="ArgumentException">The name is not letters, digits, '-' and '_'.</exception>
    public static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!StorageNamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The storage name '{name}' is not valid: use only letters, digits, '-' and '_'.", nameof(name));
        }
    }

    private FileStorage Build(string name)
    {
        string path = CofferConfiguration.StoragePath(name);
        if (!StorageNamePattern().IsMatch(name))
        {
            throw new InvalidOperationException($"{path}: '{name}' is not a valid storage name; use only letters, digits, '-' and '_'.");
        }

        var section = _configuration.GetStorageSection(name);
        _declared.TryGetValue(name, out var declared);
        string backendName = section?[BackendKey] is { Length: > 0 } configured ? configured : declared?.Backend ?? DefaultBackend;
        if (!_backends.TryGetValue(backendName, out var backend))
        {
            throw new InvalidOperationException(
                $"{path}:{BackendKey}: no storage backend is named '{backendName}'. Registered backends: {string.Join(", ", _backends.Keys.Order(StringComparer.OrdinalIgnoreCase))}. "
                + "Register it in code: for S3, reference the Coffer.S3 package and call services.AddCoffer().AddS3(); for your own backend, call AddCoffer().AddBackend(…).");
        }

        if (declared is not null && !declared.OptionsType.IsAssignableFrom(backend.OptionsType))
        {
            throw new InvalidOperationException(
                $"{path}:{BackendKey}: configuration says '{backendName}', but code adds this storage as a '{declared.Backend}' storage with {declared.OptionsType.Name}. Make them agree.");
        }

        if (section is not null)
        {
            CheckKeys(section, path, backend, _settingsTypes);
        }

        FileStorage storage;
        try
        {
            storage = backend.Create(_services, name);
        }
        catch (OptionsValidationException ex) when (ex.OptionsType == backend.OptionsType || ex.OptionsName == name)
        {
            // A storage's own validation says which setting failed; any other validator's failures are kept whole.
            throw new OptionsValidationException(name, ex.OptionsType, ex is FileStorageOptionsException structured
                ? structured.PropertyFailures.Select(failure => NameKey(path, failure))
                : ex.Failures.Select(failure => string.Concat(path, ": ", failure)));
        }

        if (!string.Equals(storage.Name, name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path}: the '{backend.Name}' backend built a storage named '{storage.Name}'; it must use the name it is given.");
        }

        storage.UseTelemetry(_services.GetService(typeof(CofferTelemetry)) as CofferTelemetry ?? CofferTelemetry.Shared, backend.Name);

        return storage;
    }

    /// <summary>Refuses keys that no setting reads, so that a typo is an error rather than a silent default.</summary>
    private static void CheckKeys(IConfigurationSection section, string path, CofferBackend backend, Type[] settingsTypes)
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { BackendKey };
        foreach (var type in settingsTypes.Prepend(backend.OptionsType))
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                known.Add(property.Name);
            }
        }

        var unknown = section.GetChildren().Where(child => !known.Contains(child.Key)).Select(child => child.Key).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", unknown.Select(key =>
                $"{path}:{key}: is not a setting of a '{backend.Name}' storage. Its settings are: {string.Join(", ", known.Order(StringComparer.Ordinal))}.")));
        }
    }

    /// <summary>Names a failure of <c>UrlExpiry</c> by its key: <c>Coffer:Storages:private:UrlExpiry: must be positive</c>.</summary>
    internal static string NameKey(string path, FileStorageOptionsFailure failure) =>
        failure.PropertyName is null
            ? string.Concat(path, ": ", failure.Message)
            : string.Concat(path, ":", failure.PropertyName, ": ", failure.Message);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex StorageNamePattern();
}
