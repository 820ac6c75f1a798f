using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>
/// Maps a <see cref="StoredFile"/> to its name in a string column (<c>""</c> for an empty field) and back. The one
/// mapping class of a file field; the field's options ride on it, so the model knows which properties are file fields.
/// </summary>
internal sealed class FileFieldConverter : ValueConverter<StoredFile, string>
{
    public FileFieldConverter(FileField field)
        : base(file => ToProvider(file, field), name => FromProvider(name, field), new ConverterMappingHints(size: field.Options.MaxLength, unicode: true))
    {
        Field = field;
    }

    public FileField Field { get; }

    private static string ToProvider(StoredFile file, FileField field)
    {
        if (file.IsPending)
        {
            throw new InvalidOperationException(
                $"'{field.DisplayName}' holds a file that was never uploaded ('{file.OriginalFileName}'). Saving new content needs Coffer to take part in SaveChanges: call optionsBuilder.UseCoffer(storages) when configuring the DbContext.");
        }

        return file.Name ?? "";
    }

    private static StoredFile FromProvider(string name, FileField field) => new(name.Length == 0 ? null : name, null, field);
}

/// <summary>Compares file fields by stored name (or pending content); values are immutable, so a snapshot is the value itself.</summary>
internal sealed class FileFieldComparer : ValueComparer<StoredFile>
{
    public FileFieldComparer()
        : base((a, b) => AreEqual(a, b), file => HashOf(file), file => file)
    {
    }

    private static bool AreEqual(StoredFile? a, StoredFile? b) => a is null ? b is null : a.Equals(b);

    private static int HashOf(StoredFile? file) => file?.GetHashCode() ?? 0;
}
