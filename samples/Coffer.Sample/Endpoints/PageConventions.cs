using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coffer.Sample.Endpoints;

/// <summary>Endpoint conventions for one Razor page rather than all of them.</summary>
public static class PageConventions
{
    /// <summary>The conventions added to the result apply to the endpoints of <paramref name="page"/> (<c>/Files/Index</c>) only.</summary>
    public static IEndpointConventionBuilder ForPage(this IEndpointConventionBuilder pages, string page) => new OnePage(pages, page);

    private sealed class OnePage(IEndpointConventionBuilder pages, string page) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => pages.Add(endpoint =>
        {
            if (IsPage(endpoint))
            {
                convention(endpoint);
            }
        });

        public void Finally(Action<EndpointBuilder> finallyConvention) => pages.Finally(endpoint =>
        {
            if (IsPage(endpoint))
            {
                finallyConvention(endpoint);
            }
        });

        private bool IsPage(EndpointBuilder endpoint) =>
            endpoint.Metadata.OfType<PageActionDescriptor>().Any(d => string.Equals(d.ViewEnginePath, page, StringComparison.Ordinal));
    }
}
