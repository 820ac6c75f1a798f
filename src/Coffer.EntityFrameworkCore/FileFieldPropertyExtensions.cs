using Coffer.EntityFrameworkCore;
using Coffer.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Metadata;

// Extension methods live in the extended type's namespace.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Reads a file field's configuration back from the model.</summary>
public static class FileFieldPropertyExtensions
{
    /// <summary>The handler a file field was configured with (<see cref="FileFieldOptions.Handler"/>).</summary>
    /// <param name="property">A property of the model.</param>
    /// <returns>The handler; <see langword="null"/> when the property is not a file field or has none.</returns>
    public static FileFieldHandler? FindFileFieldHandler(this IReadOnlyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return (property.GetValueConverter() as FileFieldConverter)?.Field.Options.Handler;
    }
}
