using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.AspNetCore.Internal;

/// <summary>How a storage's <see cref="FileStorageOptions.MaxFileSize"/> becomes the limit of an upload request.</summary>
internal static class UploadLimits
{
    /// <summary>
    /// What a request may carry beyond the file itself: boundaries, part headers and small fields. It keeps a body a
    /// little over the limit readable, so that the answer is the uploader's 413 naming the limit rather than the
    /// server's bare one, while a body far over the limit is still cut off early.
    /// </summary>
    public const long MultipartAllowance = 64 * 1024;

    /// <summary>The largest request body an upload to a storage accepting at most <paramref name="maxFileSize"/> bytes may have.</summary>
    public static long RequestBodyLimit(long maxFileSize) =>
        maxFileSize > long.MaxValue - MultipartAllowance ? long.MaxValue : maxFileSize + MultipartAllowance;

    /// <summary>A size as people read it, the way the sample's page shows it: 104857600 is "100 MB".</summary>
    public static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };

    /// <summary>Whether the server refused to read more of the body (Kestrel's 413), as thrown or as wrapped by form binding.</summary>
    public static bool IsBodyTooLarge(BadHttpRequestException exception) =>
        exception.StatusCode == StatusCodes.Status413PayloadTooLarge
        || exception.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };

    /// <summary>
    /// Runs an upload endpoint under its storage's limit. Form binding reads an <see cref="IFormFile"/> before the
    /// handler and its filters run, so the refusal of a body over the limit has to wrap the whole endpoint.
    /// </summary>
    public static RequestDelegate Guard(RequestDelegate endpoint, FileStorage storage, long bodyLimit) => async context =>
    {
        // A declared length over the limit is refused before a byte is read.
        if (context.Request.ContentLength > bodyLimit)
        {
            AllowDraining(context);
            await RefuseAsync(context, storage).ConfigureAwait(false);
            return;
        }

        try
        {
            await endpoint(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (IsBodyTooLarge(ex) && !context.Response.HasStarted)
        {
            // Form binding throws this when RouteHandlerOptions.ThrowOnBadRequest is on (Development).
            await RefuseAsync(context, storage).ConfigureAwait(false);
            return;
        }

        // Otherwise form binding answers a bare 413 and writes nothing.
        if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await RefuseAsync(context, storage).ConfigureAwait(false);
        }
    };

    /// <summary>
    /// Lets the server read and drop a refused body after the answer, within its drain timeout. With the body limit in
    /// place it would close the connection instead, and a client still sending would see the connection reset rather
    /// than the 413. Nothing of the body is kept.
    /// </summary>
    public static void AllowDraining(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = null;
        }
    }

    private static Task RefuseAsync(HttpContext context, FileStorage storage) =>
        context.RequestServices.GetRequiredService<FileUploader>().TooLarge(storage, null).Problem!.ExecuteAsync(context);

    /// <summary>The form limit of an upload endpoint (read by routing): only the part's length; the rest stays the app's.</summary>
    public sealed class FormLimit(long multipartBodyLengthLimit) : IFormOptionsMetadata
    {
        public bool? BufferBody => null;

        public int? MemoryBufferThreshold => null;

        public long? BufferBodyLengthLimit => null;

        public int? ValueCountLimit => null;

        public int? KeyLengthLimit => null;

        public int? ValueLengthLimit => null;

        public int? MultipartBoundaryLengthLimit => null;

        public int? MultipartHeadersCountLimit => null;

        public int? MultipartHeadersLengthLimit => null;

        public long? MultipartBodyLengthLimit { get; } = multipartBodyLengthLimit;
    }

    /// <summary>The request body limit of an upload endpoint (read by routing).</summary>
    public sealed class RequestSizeLimit(long maxRequestBodySize) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = maxRequestBodySize;
    }
}
