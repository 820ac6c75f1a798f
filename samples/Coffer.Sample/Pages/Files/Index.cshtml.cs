using System.Globalization;
using System.Security.Claims;
using Coffer.AspNetCore;
using Coffer.Sample.Data;
using Coffer.Sample.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;
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

    /// <summary>The signed-in user's id: Identity's GUID, which says nothing about the user (not the email).</summary>
    public string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Files = await db.PrivateFiles.AsNoTracking().Where(f => f.OwnerId == UserId).OrderByDescending(f => f.Id).ToListAsync(ct);

    /// <summary>The form without JavaScript: the file goes through the app, as a form upload to <c>/api/files</c> does.</summary>
    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, [FromServices] FileUploader uploader, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        var saved = await FilesApi.SaveFormFileAsync(file, User, db, storage, uploader, clock, ct);
        Notice = saved.Result switch
        {
            Created<FileResponse> created => $"Uploaded {created.Value!.Name}.",
            ProblemHttpResult problem => problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title,
            _ => null,
        };
        return RedirectToPage();
    }

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
