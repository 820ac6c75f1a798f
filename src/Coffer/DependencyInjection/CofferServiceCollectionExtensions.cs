using System.Diagnostics.Metrics;
using Coffer;
using Coffer.DependencyInjection;
using Coffer.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
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

    /// <summary>
    /// Adds a hosted service that removes what unfinished uploads left behind (temporary files on disk, reservations and
    /// multipart parts on S3) in every storage, when the host starts and then every
    /// <see cref="CofferSweeperOptions.Interval"/>: <see cref="FileStorage.SweepUnfinishedUploadsAsync"/> for each
    /// storage. Settings come from <c>Coffer:Sweeper</c> in configuration, then <paramref name="configure"/>; they are
    /// checked at start-up. Each run logs what it removed (event 1007), and a storage that fails is logged (1009) and
    /// tried again on the next run.
    /// </summary>
    /// <remarks>
    /// Calls <see cref="AddCoffer(IServiceCollection)"/> if it was not called. It is safe to run on several instances
    /// of an app at once: a sweep touches only leftovers older than <see cref="CofferSweeperOptions.GracePeriod"/>,
    /// which no running upload writes to, and a leftover another instance removed first is simply gone. It does not
    /// delete files no row references; that is the EF Core sweeper's job (Coffer.EntityFrameworkCore).
    /// This operation is idempotent; each call adds its <paramref name="configure"/>.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the interval, the grace period, dry run and the storages; runs after configuration.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddCofferSweeper(this IServiceCollection services, Action<CofferSweeperOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCofferCore(services, null, null);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<CofferSweeperOptions>, CofferSweeperOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CofferSweeperOptions>, CofferSweeperOptionsValidator>());
        services.AddOptions<CofferSweeperOptions>().ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CofferSweeper>());
        return services;
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

    /// <summary>
    /// Binds <typeparamref name="TSettings"/> for every storage from <c>Coffer:Storages:{name}</c>, as named options
    /// whose name is the storage's (<c>IOptionsMonitor&lt;TSettings&gt;.Get("private")</c>), and accepts its keys in that
    /// section, where any other unknown key fails start-up. For settings a package or app keeps per storage beside the
    /// storage's own, such as Coffer.AspNetCore's upload rules.
    /// </summary>
    /// <remarks>This operation is idempotent.</remarks>
    /// <typeparam name="TSettings">The settings type; its public properties are its keys.</typeparam>
    /// <param name="builder">The Coffer builder.</param>
    /// <returns>The builder.</returns>
    public static ICofferBuilder AddStorageSettings<TSettings>(this ICofferBuilder builder)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TSettings>, StorageSectionSetup<TSettings>>());
        if (!builder.Services.Any(d => d.ServiceType == typeof(CofferStorageSettings) && d.ImplementationInstance is CofferStorageSettings { Type: var type } && type == typeof(TSettings)))
        {
            builder.Services.AddSingleton(new CofferStorageSettings(typeof(TSettings)));
        }

        return builder;
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

        // The host's meter factory when there is one (every generic host registers it), so that measurements stay per container.
        services.TryAddSingleton(sp => new CofferTelemetry(sp.GetService<IMeterFactory>()));
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

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LocalFileStorageOptions>, LocalStorageDefaults>());
        builder.AddBackend<LocalFileStorageOptions>(CofferStorageSet.DefaultBackend, static (sp, name, options) =>
            new LocalFileStorage(name, options, sp.GetService<ILogger<LocalFileStorage>>(), sp.GetService<TimeProvider>()));
        return builder;
    }
}
