using Coffer.AspNetCore;
using Coffer.AspNetCore.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds what Coffer.AspNetCore brings to the storages <c>AddCoffer</c> registers.</summary>
/// <remarks>
/// <c>AddCoffer</c> itself is the Coffer package's, for every host; this package has no registration of its own beside
/// it. <c>MapCoffer()</c> needs nothing more than <c>AddCoffer</c>; the uploader needs <see cref="AddFileUploader"/>.
/// </remarks>
public static class CofferAspNetCoreBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="FileUploader"/> and each storage's upload rules (<see cref="FileUploadOptions"/>), bound
    /// from <c>Coffer:Storages:{name}</c> beside the storage's settings: <c>services.AddCoffer(configuration).AddFileUploader()</c>.
    /// </summary>
    /// <remarks>This operation is idempotent.</remarks>
    /// <param name="builder">The builder <c>AddCoffer</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static ICofferBuilder AddFileUploader(this ICofferBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStorageSettings<FileUploadOptions>();
        builder.Services.TryAddSingleton<FileUploader>();
        return builder;
    }

    /// <summary>
    /// Registers <see cref="DirectUploads"/> (with <see cref="FileUploader"/>'s rules, which it shares) and its options,
    /// validated at start-up: <c>services.AddCoffer(configuration).AddDirectUploads()</c>, then <c>app.MapCofferUploads()</c>.
    /// Needs a ledger of pending uploads (<c>services.AddCofferFileLedger&lt;AppDbContext&gt;()</c> from
    /// Coffer.EntityFrameworkCore) and ASP.NET Data Protection, which signs the tickets: with several instances, share its
    /// keys between them (<c>PersistKeysTo…</c>), or a ticket one instance issued is refused by another.
    /// </summary>
    /// <remarks>This operation is idempotent.</remarks>
    /// <param name="builder">The builder <c>AddCoffer</c> returned.</param>
    /// <param name="configure">Changes the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    public static ICofferBuilder AddDirectUploads(this ICofferBuilder builder, Action<DirectUploadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddFileUploader();
        builder.Services.AddDataProtection();
        var options = builder.Services.AddOptions<DirectUploadOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<DirectUploadOptions>, DirectUploadOptionsValidator>());
        options.ValidateOnStart();
        builder.Services.TryAddSingleton<DirectUploadEndpoint>();
        builder.Services.TryAddSingleton<UploadTicketCodec>();
        builder.Services.TryAddSingleton(services => new DirectUploads(
            services.GetRequiredService<FileUploader>(),
            services.GetService<Coffer.IPendingUploadLedger>() ?? throw new InvalidOperationException(
                "Direct uploads need a ledger of pending uploads, so that an upload never committed is removed: call services.AddCofferFileLedger<YourDbContext>() (Coffer.EntityFrameworkCore) and map the ledger with modelBuilder.AddCofferFileLedger()."),
            services.GetRequiredService<UploadTicketCodec>(),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DirectUploadOptions>>(),
            services.GetRequiredService<DirectUploadEndpoint>(),
            services.GetService<TimeProvider>(),
            services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        return builder;
    }
}
