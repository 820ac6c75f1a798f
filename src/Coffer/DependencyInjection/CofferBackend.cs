using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>A registered storage backend: its name, its settings type, and how to build a storage.</summary>
internal abstract class CofferBackend(string name)
{
    public string Name { get; } = name;

    public abstract Type OptionsType { get; }

    public abstract FileStorage Create(IServiceProvider services, string storageName);
}

internal sealed class CofferBackend<TOptions>(string name, Func<IServiceProvider, string, TOptions, FileStorage> factory) : CofferBackend(name)
    where TOptions : FileStorageOptions, new()
{
    public override Type OptionsType => typeof(TOptions);

    public override FileStorage Create(IServiceProvider services, string storageName)
    {
        // The factory, not the monitor: no cache, since the storage built from these options is cached.
        var options = services.GetRequiredService<IOptionsFactory<TOptions>>().Create(storageName);
        return factory(services, storageName, options);
    }
}

/// <summary>A storage added in code with <c>AddStorage</c>.</summary>
internal sealed record CofferStorageDeclaration(string Name, string Backend, Type OptionsType);

/// <summary>A settings type bound per storage beside the backend's own (<c>AddStorageSettings</c>); its keys are accepted in the storage's section.</summary>
internal sealed record CofferStorageSettings(Type Type);
