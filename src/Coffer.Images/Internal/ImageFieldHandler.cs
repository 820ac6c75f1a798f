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

        var (info, decoded) = Check(content.Stream, save.FileName, save.FieldName, logger);
        using (decoded)
        {
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

            await SaveVariantsAsync(decoded, save.SaveVariantAsync, cancellationToken).ConfigureAwait(false);
            return name;
        }
    }

    /// <summary>
    /// The same checks as <see cref="SaveAsync"/>, on the stored object (one read of it): header, pixel limits, format,
    /// full decode. Its name cannot change, so a name that lies about the format, or a stored content type that does,
    /// is refused rather than corrected. Metadata to strip is stripped into a copy (an object is never rewritten in
    /// place); an image with none to strip (one Coffer stored before) is kept as it is.
    /// </summary>
    public override async Task AdoptAsync(FileFieldAdoption adoption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adoption);
        var logger = LoggerFor(adoption.Entry);
        var stream = await adoption.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // A direct upload may be a 1 GiB video, or a header bomb padded to 1 GiB: when its head is no image, or its
            // header is already refused, the rest is not read (and Check refuses the head alone with the message the
            // whole file would get).
            await using var content = await TempContent.FromAsync(stream, adoption.Storage, Processor.WantsRest, cancellationToken).ConfigureAwait(false);
            if (_acceptOtherFiles && !ImageCodec.IsImage(content.Stream))
            {
                SetDimensions(adoption.Entry, null, null);
                return;
            }

            var (info, decoded) = Check(content.Stream, adoption.Name, adoption.FieldName, logger);
            using (decoded)
            {
                CheckStoredAs(adoption, info, logger);
                SetDimensions(adoption.Entry, info.Width, info.Height);
                if (Processor.Options.StripMetadata)
                {
                    await using var stripped = TempContent.CreateFile();
                    ImageProcessor.StripMetadata(content.Stream, info, stripped);
                    stripped.Position = 0;
                    if (!await SameContentAsync(content.Stream, stripped, cancellationToken).ConfigureAwait(false))
                    {
                        stripped.Position = 0;
                        string copy = await adoption.SaveCopyAsync(stripped, WithRealExtension(adoption.FileName, info), info.ContentType, cancellationToken).ConfigureAwait(false);
                        Log.ImageCopiedWithoutMetadata(logger, adoption.Name, copy, adoption.FieldName);
                    }
                }

                await SaveVariantsAsync(decoded, adoption.SaveVariantAsync, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override void FileChanged(EntityEntry entry, StoredFile file) => SetDimensions(entry, null, null);

    /// <summary>Header, limits and format first (nothing decoded for a bomb), then the whole image; a refusal is logged.</summary>
    private (ImageInfo Info, DecodedImage Decoded) Check(Stream content, string fileName, string field, ILogger logger)
    {
        try
        {
            var info = Processor.Inspect(content);
            var decoded = Processor.Decode(content, info);
            Log.ImageAccepted(logger, fileName, info.Format.ToString(), info.Width, info.Height, field);
            return (info, decoded);
        }
        catch (InvalidFileContentException ex)
        {
            Log.ImageRefused(logger, fileName, field, ex.ClientMessage);
            throw;
        }
    }

    /// <summary>
    /// An adopted object keeps its name, and its stored content type where the storage keeps one: both must say what the
    /// bytes are, since they are what a browser or a CDN serves it as.
    /// </summary>
    private static void CheckStoredAs(FileFieldAdoption adoption, ImageInfo info, ILogger logger)
    {
        string extension = Path.GetExtension(adoption.Name);
        string? problem = !ImageFormats.IsExtensionOf(extension, info.Format)
            ? $"The file is a {info.Format.ToString().ToUpperInvariant()} image, but its name ends in '{extension}'; upload it again under its real extension ({info.Extension})."
            : adoption.ContentType is { } type && !IsContentTypeOf(type, info)
            ? $"The file is a {info.Format.ToString().ToUpperInvariant()} image, but it was stored as '{type}'; upload it again as {info.ContentType}."
            : null;
        if (problem is not null)
        {
            Log.ImageRefused(logger, adoption.Name, adoption.FieldName, problem);
            throw new InvalidFileContentException(FileContentProblem.NotAnImage, problem);
        }
    }

    private static bool IsContentTypeOf(string contentType, ImageInfo info)
    {
        int parameters = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (parameters < 0 ? contentType : contentType[..parameters]).Trim();
        // Stores that keep no type of their own answer with the generic one; that claims nothing.
        return type.Equals(info.ContentType, StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || (info.Format == ImageFormat.Jpeg && type.Equals("image/jpg", StringComparison.OrdinalIgnoreCase));
    }

    private async Task SaveVariantsAsync(DecodedImage decoded, Func<string, Stream, string?, CancellationToken, Task> saveVariant, CancellationToken cancellationToken)
    {
        foreach (var (key, variant) in Processor.Variants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var rendered = new MemoryStream();
            decoded.Render(variant, rendered);
            rendered.Position = 0;
            await saveVariant(key, rendered, ImageFormats.ContentType(variant.Format), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether two seekable streams, read from their current positions to their ends, hold the same bytes.</summary>
    private static async Task<bool> SameContentAsync(Stream first, Stream second, CancellationToken cancellationToken)
    {
        long start = first.Position;
        try
        {
            if (first.Length - first.Position != second.Length - second.Position)
            {
                return false;
            }

            byte[] a = new byte[1 << 16], b = new byte[1 << 16];
            while (true)
            {
                int read = await first.ReadAtLeastAsync(a, a.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                int other = await second.ReadAtLeastAsync(b.AsMemory(0, read), read, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == 0 || other != read || !a.AsSpan(0, read).SequenceEqual(b.AsSpan(0, read)))
                {
                    return read == 0 && other == 0;
                }
            }
        }
        finally
        {
            first.Position = start;
        }
    }

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
