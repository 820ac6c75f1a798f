using Coffer.Sample.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Pages.Media;

public sealed class IndexModel(SampleDbContext db) : PageModel
{
    public sealed record Item(string Name, long Size, string Url, bool IsImage);

    public IReadOnlyList<Item> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var rows = await db.MediaFiles.AsNoTracking().OrderByDescending(f => f.Id).Take(200).ToListAsync(ct);
        Items = rows.Select(r => new Item(r.OriginalName, r.Size, r.File.Url,
            r.ContentType is "image/png" or "image/jpeg" or "image/gif" or "image/webp")).ToList();
    }
}
