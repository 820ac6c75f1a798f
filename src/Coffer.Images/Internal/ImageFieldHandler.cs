using Coffer.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.Images.Internal;

/// <summary>
/// What an image field does on save: checks the header, decodes the image (a truncated one is refused), stores the
/// original without its metadata under its real extension, fills the width and height properties, and renders and
/// stores each variant in the same unit of work.
/// </summary>
internal sealed class ImageFieldHandler : FileFieldHandler
{
    private readonly bool _acceptOtherFiles;

    public ImageFieldHandler(ImageProcessor processor, string? widthProperty, string? heightProperty, bool acceptOtherFiles)
    {
        _acceptOtherFiles = acceptOtherFiles;
        Processor = processor;
        WidthProperty = widthProperty;
        HeightProperty = heightProperty;
        Variants = processor.Variants.ToDictionary(v => v.Key, v => ImageFormats.Extension(v.Value.Format), StringComparer.Ordinal);
    }

    public ImageProcessor Processor { get; }

    public string? WidthProperty { get; }

    public string? HeightProperty { get; }

    public override IReadOnlyDictionary<string, string> Variants { get; }

    public override async Task<string> SaveAsync(FileFieldSave save, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(save);
        var logger = LoggerFor(save.Entry);
        await using var content = await TempContent.FromAsync(save.Content, save.Storage, cancellationToken).ConfigureAwait(false);
        if (_acceptOtherFiles && !ImageCodec.IsImage(content.Stream))
        {
            SetDimensions(save.Entry, null, null);
            return await save.SaveAsync(content.Stream, save.FileName, save.ContentType, cancellationToken).ConfigureAwait(false);
        }

        ImageInfo info;
        DecodedImage decoded;
        try
        {
            info = Processor.Inspect(content.Stream);
            decoded = Processor.Decode(content.Stream, info);
        }
        catch (InvalidFileContentException ex)
        {
            Log.ImageRefused(logger, save.FileName, save.FieldName, ex.ClientMessage);
            throw;
        }

        using (decoded)
        {
            Log.ImageAccepted(logger, save.FileName, info.Format.ToString(), info.Width, info.Height, save.FieldName);
            string fileName = WithRealExtension(save.FileName, info);
            if (!ReferenceEquals(fileName, save.FileName))
            {
                Log.ImageRenamed(logger, save.FileName, fileName, info.Format.ToString());
            }

            SetDimensions(save.Entry, info.Width, info.Height);
            string name;
            if (Processor.Options.StripMetadata)
            {
                await using var stripped = TempContent.CreateFile();
                ImageProcessor.StripMetadata(content.Stream, info, stripped);
                stripped.Position = 0;
                name = await save.SaveAsync(stripped, fileName, info.ContentType, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                name = await save.SaveAsync(content.Stream, fileName, info.ContentType, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (key, variant) in Processor.Variants)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var rendered = new MemoryStream();
                decoded.Render(variant, rendered);
                rendered.Position = 0;
                await save.SaveVariantAsync(key, rendered, ImageFormats.ContentType(variant.Format), cancellationToken).ConfigureAwait(false);
            }

            return name;
        }
    }

    public override void FileChanged(EntityEntry entry, StoredFile file) => SetDimensions(entry, null, null);

    /// <summary>
    /// A file whose name or declared type lies about its format is stored under its real extension, not refused: what
    /// matters is what the bytes are, and the name is the only thing a browser or a CDN guesses the type from.
    /// </summary>
    internal static string WithRealExtension(string fileName, ImageInfo info)
    {
        string extension = Path.GetExtension(fileName);
        if (ImageFormats.IsExtensionOf(extension, info.Format))
        {
            return fileName;
        }

        string stem = extension.Length > 0 ? fileName[..^extension.Length] : fileName;
        return stem + info.Extension;
    }

    private void SetDimensions(EntityEntry entry, int? width, int? height)
    {
        Set(entry, WidthProperty, width);
        Set(entry, HeightProperty, height);
    }

    private static void Set(EntityEntry entry, string? property, int? value)
    {
        if (property is null)
        {
            return;
        }

        var metadata = entry.Metadata.FindProperty(property)
            ?? throw new InvalidOperationException(
                $"The image field of {entry.Metadata.DisplayName()} names '{property}' as its width or height property, but the entity type has no such property. Add an int or int? property named '{property}', or fix ImageFieldOptions.WidthProperty/HeightProperty.");
        var clrType = Nullable.GetUnderlyingType(metadata.ClrType) ?? metadata.ClrType;
        if (clrType != typeof(int))
        {
            throw new InvalidOperationException($"The width or height property '{entry.Metadata.DisplayName()}.{property}' must be an int or int?, but is {metadata.ClrType.Name}.");
        }

        entry.Property(property).CurrentValue = value ?? (metadata.IsNullable ? null : 0);
    }

    private static ILogger LoggerFor(EntityEntry entry) =>
        entry.Context.GetService<ILoggerFactory>()?.CreateLogger("Coffer.Images") ?? NullLogger.Instance;
}
