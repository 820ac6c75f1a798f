using System.Linq.Expressions;
using Coffer;
using Coffer.EntityFrameworkCore;
using Coffer.Images;
using Coffer.Images.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Maintenance of the variants of a context's image fields.</summary>
public static class ImageFieldDbContextExtensions
{
    private const int PageSize = 100;

    /// <summary>
    /// Renders and stores again every variant of every image of <paramref name="property"/>, for rows saved before a
    /// variant was added or changed. Idempotent: a variant is replaced (deleted, then written under its name), so a run
    /// that stopped can simply be run again. Rows are read in pages of 100 by primary key, without tracking; progress
    /// is logged after each page (event 5004). An image that fails (missing, no longer decodable) is logged and counted,
    /// and the others go on.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="context">A context configured with <c>UseCoffer</c>.</param>
    /// <param name="property">The image field (<c>p => p.Image</c>).</param>
    /// <param name="cancellationToken">Stops between images; what was written stays.</param>
    /// <returns>How many images were done, had no file, and failed.</returns>
    /// <exception cref="InvalidOperationException">The property is not an image field.</exception>
    public static async Task<VariantRegenerationResult> RegenerateImageVariantsAsync<TEntity>(
        this DbContext context, Expression<Func<TEntity, StoredFile>> property, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(property);
        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not an entity type of {context.GetType().Name}'s model.");
        string propertyName = property.Body is MemberExpression member ? member.Member.Name
            : throw new ArgumentException("The property must be a member access such as p => p.Image.", nameof(property));
        var metadata = entityType.FindProperty(propertyName);
        if (metadata?.FindFileFieldHandler() is not ImageFieldHandler handler)
        {
            throw new InvalidOperationException($"{entityType.DisplayName()}.{propertyName} is not an image field (IsImageField).");
        }

        var key = entityType.FindPrimaryKey()?.Properties
            ?? throw new InvalidOperationException($"{entityType.DisplayName()} has no primary key to page by.");
        string field = $"{entityType.DisplayName()}.{propertyName}";
        var logger = (ILogger?)context.GetService<ILoggerFactory>()?.CreateLogger("Coffer.Images") ?? NullLogger.Instance;
        var getter = property.Compile();
        int done = 0, skipped = 0, failed = 0;
        for (int page = 0; ; page++)
        {
            IQueryable<TEntity> query = context.Set<TEntity>().AsNoTracking();
            IOrderedQueryable<TEntity> ordered = query.OrderBy(e => EF.Property<object>(e, key[0].Name));
            foreach (var next in key.Skip(1))
            {
                ordered = ordered.ThenBy(e => EF.Property<object>(e, next.Name));
            }

            var rows = await ordered.Skip(page * PageSize).Take(PageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var file = getter(row);
                if (!file.HasFile)
                {
                    skipped++;
                    continue;
                }

                try
                {
                    await RegenerateAsync(handler, file, cancellationToken).ConfigureAwait(false);
                    done++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.VariantRegenerateFailed(logger, ex, field, file.Name!);
                    failed++;
                }
            }

            Log.VariantsRegenerated(logger, field, done, skipped, failed);
            if (rows.Count < PageSize)
            {
                return new VariantRegenerationResult(done, skipped, failed);
            }
        }
    }

    private static async Task RegenerateAsync(ImageFieldHandler handler, StoredFile file, CancellationToken cancellationToken)
    {
        var stream = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await using var content = await TempContent.FromAsync(stream, file.Storage, cancellationToken).ConfigureAwait(false);
            var info = handler.Processor.Inspect(content.Stream);
            using var decoded = handler.Processor.Decode(content.Stream, info);
            foreach (var (key, variant) in handler.Processor.Variants)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var rendered = new MemoryStream();
                decoded.Render(variant, rendered);
                rendered.Position = 0;
                string name = file.Variant(key).Name!;
                await file.Storage.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                await file.Storage.SaveAsync(name, rendered, new FileSaveOptions { ExactName = true, ContentType = ImageFormats.ContentType(variant.Format) }, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
