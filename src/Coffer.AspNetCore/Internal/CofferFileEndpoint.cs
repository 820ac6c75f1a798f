using System.Collections.Frozen;
using Coffer.Local;
using Coffer.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Coffer.AspNetCore.Internal;

/// <summary>Serves one file of a local storage: a chain of checks, each with its own outcome and log line.</summary>
internal sealed partial class CofferFileEndpoint(IFileStorageProvider storages, ILogger logger)
{
    // The local storages by name (case-insensitive, as configuration keys are), found once: AddCoffer builds every
    // storage at start-up, so the first request finds them built, and a request for any other name finds nothing.
    private readonly Lazy<FrozenDictionary<string, LocalFileStorage>> _local = new(() => storages.Names
        .Select(storages.GetStorage)
        .OfType<LocalFileStorage>()
        .ToFrozenDictionary(storage => storage.Name, StringComparer.OrdinalIgnoreCase));

    /// <summary>No script, no plugin, no form, no fetch: whatever the file is, it cannot act as the app.</summary>
    internal const string SandboxPolicy = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

    /// <summary>
    /// The same without <c>sandbox</c>, for PDF only: browsers refuse to show a PDF in a sandboxed document, and their
    /// PDF viewers do not run the document's script with the app's origin.
    /// </summary>
    internal const string PdfPolicy = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'";


    public async Task<Results<PhysicalFileHttpResult, NotFound, StatusCodeHttpResult>> ServeAsync(HttpContext context, string storageName, string? name)
    {
        if (string.IsNullOrEmpty(name) || !TryGetLocalStorage(storageName, out var storage))
        {
            return TypedResults.NotFound();
        }

        string? downloadName = null;
        string? contentTypeOverride = null;
        if (storage.Options.Visibility != FileVisibility.Public)
        {
            var query = context.Request.Query;
            var signed = SignedUrlQuery.From(key => query.TryGetValue(key, out var values) ? values.ToString() : null);
            if (IsRefused(storage, name, storage.VerifyUrl(name, signed)))
            {
                // The reason stays in the log: a caller learns nothing, not even whether the file exists.
                return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
            }

            downloadName = signed.DownloadFileName;
            contentTypeOverride = signed.ContentType;
        }

        StoredFileInfo info;
        try
        {
            info = await storage.GetInfoAsync(name, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidFileNameException)
        {
            // Includes the '.coffer-' names of unfinished uploads, which the name pipeline refuses.
            info = StoredFileInfo.NotFound(name);
        }

        if (!info.Exists)
        {
            Log.FileNotFound(logger, storage.Name, name);
            return TypedResults.NotFound();
        }

        string contentType = GetContentType(name, contentTypeOverride ?? info.ContentType);
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = IsMediaType(contentType, "application/pdf") ? PdfPolicy : SandboxPolicy;
        headers.CacheControl = storage.Options.Visibility == FileVisibility.Public ? "public, no-cache" : "private, no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        bool inline = downloadName is null && IsSafeInline(contentType);
        headers.ContentDisposition = ContentDisposition.Format(inline, downloadName ?? LastSegment(name));

        // HTTP dates have whole seconds; a finer Last-Modified would never equal an If-Modified-Since.
        var modified = info.LastModified!.Value;
        modified = modified.AddTicks(-(modified.UtcTicks % TimeSpan.TicksPerSecond));
        var etag = new EntityTagHeaderValue($"\"{modified.UtcTicks:x}-{info.Length:x}\"");
        return TypedResults.PhysicalFile(storage.GetPath(name), contentType, fileDownloadName: null, modified, etag, enableRangeProcessing: true);
    }

    /// <summary>Whether a signed URL is refused; the reason goes to the log, never to the caller.</summary>
    private bool IsRefused(LocalFileStorage storage, string name, UrlSignatureStatus status)
    {
        if (status == UrlSignatureStatus.Valid)
        {
            return false;
        }

        if (status == UrlSignatureStatus.Expired)
        {
            Log.UrlExpired(logger, storage.Name, name);
        }
        else
        {
            Log.UrlRefused(logger, storage.Name, name, status);
        }

        return true;
    }

    private bool TryGetLocalStorage(string storageName, out LocalFileStorage storage)
    {
        if (_local.Value.TryGetValue(storageName, out var local))
        {
            storage = local;
            return true;
        }

        storage = null!;
        return false;
    }

    internal static string GetContentType(string name, string? given)
    {
        if (given is not null && MediaTypeHeaderValue.TryParse(given, out var parsed) && parsed.Type.HasValue && parsed.SubType.HasValue)
        {
            return given;
        }

        return Coffer.ContentTypes.Resolve(name); // the same map the S3 storage stores types from
    }

    /// <summary>Types a browser shows without running anything of the file; all others are downloaded.</summary>
    internal static bool IsSafeInline(string contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        string type = parsed.MediaType.Value!.ToLowerInvariant();
        return type switch
        {
            "image/svg+xml" => false,
            "text/plain" or "application/pdf" => true,
            _ => type.StartsWith("image/", StringComparison.Ordinal) || type.StartsWith("audio/", StringComparison.Ordinal) || type.StartsWith("video/", StringComparison.Ordinal),
        };
    }

    private static bool IsMediaType(string contentType, string mediaType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    private static string LastSegment(string name) => name[(name.LastIndexOf('/') + 1)..];
}
