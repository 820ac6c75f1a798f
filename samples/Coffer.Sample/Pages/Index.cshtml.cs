using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coffer.Sample.Pages;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
