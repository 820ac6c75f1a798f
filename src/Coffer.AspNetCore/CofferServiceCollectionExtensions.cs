using Coffer;
using Coffer.AspNetCore;
using Coffer.AspNetCore.Internal;
using Coffer.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Coffer's storages in a service collection.</summary>
public static class CofferServiceCollectionExtensions
{
    /// <summary>
    /// Adds Coffer's storages, read from the <c>Coffer</c> section of the app's configuration (the
    /// <see cref="IConfiguration"/> in the container), with the built-in local <c>private</c> and <c>public</c>
    /// storages as defaults. Each storage resolves as a keyed service under its name
    /// (<c>[FromKeyedServices("private")] FileStorage</c>) and through <see cref="IFileStorageProvider"/>.
    /// Every storage is built and its settings checked when the host starts.
    /// </summary>
    /// <remarks>This operation is idempotent: calling it again adds nothing but returns a builder.</remarks>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add backends (<c>AddS3()</c>) and storages.</returns>
    public static ICofferBuilder AddCoffer(this IServiceCollection services) => AddCofferCore(services, null, null);

    /// <summary>
    /// Adds Coffer as <see cref="AddCoffer(IServiceCollection)"/> does, then applies <paramref name="configure"/> to the
    /// Coffer-wide settings (after configuration, so it wins).
    /// </summary>
    /// <remarks>This operation is idempotent; each call adds its <paramref name="configure"/>.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the route prefix and the data folder.</param>
    /// <returns>A builder to add backends and storages.</returns>
    public static ICofferBuilder AddCoffer(this IServiceCollection services, Action<CofferOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCofferCore(services, null, configure);
    }

    /// <summary>
    /// Adds Coffer as <see cref="AddCoffer(IServiceCollection)"/> does, reading the <c>Coffer</c> section of
    /// <paramref name="configuration"/> instead of the app's configuration.
    /// </summary>
    /// <remarks>This operation is idempotent; the configuration of the last call is the one read.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">A configuration that holds a <c>Coffer</c> section, such as <c>builder.Configuration</c>, or that section itself.</param>
    /// <returns>A builder to add backends and storages.</returns>
    public static ICofferBuilder AddCoffer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCofferCore(services, configuration, null);
    }

    /// <summary>Adds a local-disk storage in code; see <see cref="ICofferBuilder.AddStorage{TOptions}"/>.</summary>
    /// <param name="builder">The Coffer builder.</param>
    /// <param name="name">The storage's name.</param>
    /// <param name="configure">Sets its settings; runs after configuration.</param>
    /// <returns>The builder.</returns>
    public static ICofferBuilder AddLocalStorage(this ICofferBuilder builder, string name, Action<LocalFileStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStorage(name, CofferStorageSet.DefaultBackend, configure);
    }

    private static CofferBuilder AddCofferCore(IServiceCollection services, IConfiguration? configuration, Action<CofferOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new CofferBuilder(services);
        if (configuration is not null)
        {
            services.RemoveAll<ExplicitCofferConfiguration>();
            services.AddSingleton(new ExplicitCofferConfiguration(configuration));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(CofferStorageSet)))
        {
            return builder;
        }

        services.AddOptions();
        services.TryAddSingleton(sp => new CofferConfiguration(
            sp.GetService<ExplicitCofferConfiguration>()?.Configuration ?? sp.GetService<IConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<CofferOptions>, CofferOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CofferOptions>, CofferOptionsValidator>());

        services.TryAddSingleton<CofferPaths>();
        services.TryAddSingleton<SigningKeyFile>();
        services.TryAddSingleton<CofferStorageSet>();
        services.TryAddSingleton<IFileStorageProvider>(sp => sp.GetRequiredService<CofferStorageSet>());
        services.TryAddKeyedSingleton<FileStorage>(KeyedService.AnyKey, static (sp, key) => key is string name
            ? sp.GetRequiredService<CofferStorageSet>().GetStorage(name)
            : throw new InvalidOperationException($"Coffer storages are keyed by their name, a string; '{key}' is a {key?.GetType().Name ?? "null"}."));

        // One check at start-up builds every storage (after the Coffer-wide settings) and reports all failures at once.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CofferStartupCheck>, CofferStartupValidator>());
        services.AddOptions<CofferStartupCheck>().ValidateOnStart();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<FileUploadOptions>, StorageSectionSetup<FileUploadOptions>>());
        services.TryAddSingleton<FileUploader>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LocalFileStorageOptions>, LocalStorageDefaults>());
        builder.AddBackend<LocalFileStorageOptions>(CofferStorageSet.DefaultBackend, static (sp, name, options) =>
            new LocalFileStorage(name, options, sp.GetService<ILogger<LocalFileStorage>>(), sp.GetService<TimeProvider>()));
        return builder;
    }
}
