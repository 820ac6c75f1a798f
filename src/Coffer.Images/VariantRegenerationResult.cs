using Microsoft.EntityFrameworkCore;

namespace Coffer.Images;

/// <summary>What <see cref="ImageFieldDbContextExtensions.RegenerateImageVariantsAsync{TEntity}"/> did.</summary>
/// <param name="Done">Images whose variants were written.</param>
/// <param name="Skipped">Rows whose field has no file.</param>
/// <param name="Failed">Images that could not be read or decoded (logged, event 5005).</param>
public sealed record VariantRegenerationResult(int Done, int Skipped, int Failed);
