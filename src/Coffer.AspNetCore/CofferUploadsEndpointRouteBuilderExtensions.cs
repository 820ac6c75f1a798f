using Coffer.AspNetCore;
using Coffer.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Coffer's direct-upload endpoints.</summary>
public static class CofferUploadsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the endpoints a client uses while it sends a direct upload (docs/direct-uploads.md), each a POST of JSON with
    /// the ticket: <c>{pattern}/parts</c> (part URLs), <c>{pattern}/status</c> (the parts stored, to resume),
    /// <c>{pattern}/complete</c> and <c>{pattern}/abort</c>. Each acts only for the caller the ticket was issued to.
    /// </summary>
    /// <remarks>
    /// The ticket endpoint, which decides who may upload what, is the app's own (it calls <see cref="DirectUploads.StartAsync"/>).
    /// Protect these as that endpoint is (<c>.RequireAuthorization()</c>, antiforgery for cookies): a ticket is bound to
    /// its caller, so another user's ticket is refused whatever the conventions.
    /// </remarks>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="pattern">Where to map them; default <c>/coffer-uploads</c>.</param>
    /// <returns>The group of the four endpoints, for conventions and filters (authorization, antiforgery, rate limiting).</returns>
    /// <exception cref="InvalidOperationException"><c>AddDirectUploads</c> was not called.</exception>
    public static RouteGroupBuilder MapCofferUploads(this IEndpointRouteBuilder endpoints, string pattern = "/coffer-uploads")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var endpoint = endpoints.ServiceProvider.GetService<DirectUploadEndpoint>()
            ?? throw new InvalidOperationException(
                "Unable to find the required services. Please add all the required services by calling 'services.AddCoffer(…).AddDirectUploads()' in the application startup code.");
        string path = "/" + pattern.Trim('/');
        // Tickets name this path for the client; an app under a path base (UsePathBase) maps it with the base included.
        endpoint.Path = path;

        var group = endpoints.MapGroup(path);
        group.MapPost("/parts", (Delegate)DirectUploadEndpoint.PartsAsync).WithDisplayName("Coffer upload parts").ExcludeFromDescription();
        group.MapPost("/status", (Delegate)DirectUploadEndpoint.StatusAsync).WithDisplayName("Coffer upload status").ExcludeFromDescription();
        group.MapPost("/complete", (Delegate)DirectUploadEndpoint.CompleteAsync).WithDisplayName("Coffer upload complete").ExcludeFromDescription();
        group.MapPost("/abort", (Delegate)DirectUploadEndpoint.AbortAsync).WithDisplayName("Coffer upload abort").ExcludeFromDescription();
        return group;
    }
}
