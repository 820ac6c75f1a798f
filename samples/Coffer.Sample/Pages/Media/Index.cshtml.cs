using Coffer.Sample.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Pages.Media;

public sealed class IndexModel(SampleDbContext db) : PageModel
{
    /// <summary>One tile: an image shows its thumbnail (a plain URL of the public storage) and links to the original.</summary>
    public sealed record Item(string Name, long Size, string Url, string? ThumbnailUrl, int? Width, int? Height);

    public IReadOnlyList<Item> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var rows = await db.MediaFiles.AsNoTracking().OrderByDescending(f => f.Id).Take(200).ToListAsync(ct);
        Items = rows.Select(r => new Item(r.OriginalName, r.Size, r.File.Url,
            r.Width is null ? null : r.File.Variant("thumb").Url, r.Width, r.Height)).ToList();
    }
}
