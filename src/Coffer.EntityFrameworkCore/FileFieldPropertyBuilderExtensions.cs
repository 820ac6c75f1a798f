using Coffer;
using Coffer.EntityFrameworkCore;
using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Configures <see cref="StoredFile"/> properties as file fields in <c>OnModelCreating</c>.</summary>
public static class FileFieldPropertyBuilderExtensions
{
    /// <summary>
    /// Makes the property a file field of <paramref name="storage"/>: a string column of <paramref name="maxLength"/>
    /// characters that holds the file's name, while the file itself goes to the storage.
    /// </summary>
    /// <param name="property">The <see cref="StoredFile"/> property (<c>entity.Property(e => e.File)</c>).</param>
    /// <param name="storage">The name of the storage (<c>"private"</c>).</param>
    /// <param name="uploadTo">Where uploads go inside the storage (<c>"files"</c>); <see langword="null"/> for its root.</param>
    /// <param name="maxLength">The column's length and the longest stored name. Default: 100.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static PropertyBuilder<StoredFile> IsFileField(
        this PropertyBuilder<StoredFile> property, string storage, UploadTo? uploadTo = null, int maxLength = FileFieldOptions.DefaultMaxLength)
        => property.IsFileField(new FileFieldOptions { Storage = storage, UploadTo = uploadTo, MaxLength = maxLength });

    /// <summary>Makes the property a file field configured by <paramref name="options"/>.</summary>
    /// <param name="property">The <see cref="StoredFile"/> property.</param>
    /// <param name="options">Storage, upload-to, length and the old-file policy; copied, so later changes have no effect.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The storage name is missing or the length is below 16.</exception>
    public static PropertyBuilder<StoredFile> IsFileField(this PropertyBuilder<StoredFile> property, FileFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(property);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Storage))
        {
            throw new ArgumentException("A file field needs the name of its storage (FileFieldOptions.Storage), for example \"private\".", nameof(options));
        }

        if (options.MaxLength < FileNames.MinMaxNameLength)
        {
            throw new ArgumentException($"A file field's MaxLength must be at least {FileNames.MinMaxNameLength} (room for a name and its random suffix), but is {options.MaxLength}.", nameof(options));
        }

        var metadata = property.Metadata;
        var field = new FileField(options.Clone(), $"{metadata.DeclaringType.DisplayName()}.{metadata.Name}");
        property.HasConversion(new FileFieldConverter(field), new FileFieldComparer());
        property.HasMaxLength(options.MaxLength);
        property.IsUnicode();
        return property;
    }
}
