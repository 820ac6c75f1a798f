using Coffer;
using Coffer.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoint that serves Coffer's local-disk storages.</summary>
public static class CofferEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the files of every local-disk storage at <c>{RoutePrefix}/{storage}/{name}</c> (<see cref="CofferOptions.RoutePrefix"/>,
    /// default <c>/coffer</c>), which is where those storages' URLs point unless they set a <c>BaseUrl</c>.
    /// A private storage's file is served only through a valid signed URL (any other request gets 403 with no reason
    /// given); a public storage's file needs no signature. A missing file gets 404. Responses support range requests,
    /// <c>ETag</c>/<c>If-None-Match</c> and <c>Last-Modified</c>/<c>If-Modified-Since</c>.
    /// A <c>PUT</c> to the same path receives one part of a direct upload to a private storage
    /// (<see cref="Coffer.FileStorage.GetDirectUploadPartUrl"/>): only through a valid signed part URL (403 otherwise), with a
    /// <c>Content-Length</c> (411) of exactly the signed length (400; 413 when longer), streamed to disk past the
    /// server's request body limit up to that length; the answer is 200 with the part's <c>ETag</c>.
    /// </summary>
    /// <remarks>
    /// Files are served so that they cannot run as part of the app: <c>X-Content-Type-Options: nosniff</c>, a
    /// <c>Content-Security-Policy</c> with <c>default-src 'none'</c> and <c>sandbox</c>, and every type other than
    /// images (but SVG), audio, video, plain text and PDF as an attachment, never inline. The endpoint needs no
    /// authentication: a signed URL is the permission. Map it at the root of the app (not inside a route group),
    /// since the storages' URLs start with the route prefix. It adds no authorization metadata, so that conventions the
    /// app adds apply as written; under a fallback authorization policy, add <c>.AllowAnonymous()</c> to what it returns.
    /// </remarks>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>A builder for conventions (rate limiting, CORS, output caching) that apply to the endpoint.</returns>
    /// <exception cref="InvalidOperationException"><c>AddCoffer</c> was not called.</exception>
    public static IEndpointConventionBuilder MapCoffer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var storages = endpoints.ServiceProvider.GetService<IFileStorageProvider>()
            ?? throw new InvalidOperationException(
                "Unable to find the required services. Please add all the required services by calling 'IServiceCollection.AddCoffer' in the application startup code.");
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<CofferOptions>>().Value;
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
        var endpoint = new CofferFileEndpoint(storages, logger);

        var group = endpoints.MapGroup(options.RoutePrefix.TrimEnd('/'));
        group.MapMethods("/{storage}/{**name}", [HttpMethods.Get, HttpMethods.Head],
                (HttpContext context, string storage, string? name) => endpoint.ServeAsync(context, storage, name))
            .WithDisplayName("Coffer files")
            .ExcludeFromDescription();
        group.MapPut("/{storage}/{**name}", (HttpContext context, string storage, string? name) => endpoint.ReceivePartAsync(context, storage, name))
            .WithDisplayName("Coffer direct upload parts")
            .ExcludeFromDescription()
            .DisableAntiforgery(); // a signed part URL is the permission; there is no form, and no cookie is needed
        return new CofferConventionBuilder(group);
    }

    // Wraps the group so that what it is stays private, as MapIdentityApi does.
    private sealed class CofferConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
