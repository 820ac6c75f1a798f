using Coffer;
using Coffer.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal sealed class CofferBuilder(IServiceCollection services) : ICofferBuilder
{
    public IServiceCollection Services { get; } = services;

    public ICofferBuilder AddBackend<TOptions>(string backend, Func<IServiceProvider, string, TOptions, FileStorage> factory)
        where TOptions : FileStorageOptions, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton<CofferBackend>(new CofferBackend<TOptions>(backend, factory));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TOptions>, StorageSectionSetup<TOptions>>());
        return this;
    }

    public ICofferBuilder AddStorage<TOptions>(string name, string backend, Action<TOptions>? configure = null)
        where TOptions : FileStorageOptions
    {
        CofferStorageSet.CheckName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        Services.AddSingleton(new CofferStorageDeclaration(name, backend, typeof(TOptions)));
        if (configure is not null)
        {
            Services.Configure(name, configure);
        }

        return this;
    }
}
