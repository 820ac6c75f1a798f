using System.Globalization;
using System.Security.Claims;
using Coffer.Sample.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Pages.Files;

public sealed class IndexModel(SampleDbContext db, [FromKeyedServices("private")] FileStorage storage) : PageModel
{
    public IReadOnlyList<PrivateFile> Files { get; private set; } = [];

    public string? MaxFileSizeText => storage.Options.MaxFileSize is { } max ? FormatSize(max) : null;

    [TempData]
    public string? Notice { get; set; }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Files = await db.PrivateFiles.AsNoTracking().Where(f => f.OwnerId == UserId).OrderByDescending(f => f.Id).ToListAsync(ct);

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken ct)
    {
        var file = await db.PrivateFiles.SingleOrDefaultAsync(f => f.Id == id && f.OwnerId == UserId, ct);
        if (file is null)
        {
            return NotFound();
        }

        db.PrivateFiles.Remove(file);
        await db.SaveChangesAsync(ct);
        Notice = $"Deleted {file.OriginalName}.";
        return RedirectToPage();
    }

    public static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };
}
