using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>One file property of an entity type.</summary>
internal sealed record FileProperty(IProperty Property, FileField Field)
{
    public StoredFile? GetValue(object entity) => (StoredFile?)Property.GetGetter().GetClrValue(entity);
}

/// <summary>Which properties of an entity type are file fields, computed once per entity type.</summary>
internal static class FileFieldModel
{
    private static readonly ConditionalWeakTable<IEntityType, FileProperty[]> Cache = new();

    public static FileProperty[] GetFileProperties(IEntityType entityType) =>
        Cache.GetValue(entityType, static type => type.GetProperties()
            .Select(p => p.GetValueConverter() is FileFieldConverter converter ? new FileProperty(p, converter.Field) : null)
            .OfType<FileProperty>()
            .ToArray());
}
