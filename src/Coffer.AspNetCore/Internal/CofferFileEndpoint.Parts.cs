using System.Globalization;
using Coffer.Local;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coffer.AspNetCore.Internal;

// The part endpoint of direct uploads to local disk: a PUT to a part URL (FileStorage.GetDirectUploadPartUrl) streams
// its body into the part's file. The signature is the whole permission, as for a download; no cookie or antiforgery
// token is asked for.
internal sealed partial class CofferFileEndpoint
{
    public async Task<Results<Ok, NotFound, StatusCodeHttpResult, ProblemHttpResult, EmptyHttpResult>> ReceivePartAsync(HttpContext context, string storageName, string? name)
    {
        if (string.IsNullOrEmpty(name) || !TryGetLocalStorage(storageName, out var storage))
        {
            return TypedResults.NotFound();
        }

        if (!storage.SupportsDirectUploads)
        {
            // A public storage's files are there to be read, never written by a client.
            context.Response.Headers.Allow = "GET, HEAD";
            return TypedResults.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }

        var query = context.Request.Query;
        var part = DirectUploadPartQuery.From(key => query.TryGetValue(key, out var values) ? values.ToString() : null);
        if (IsRefused(storage, name, storage.VerifyDirectUploadPartUrl(name, part)))
        {
            // As for a download: the reason stays in the log.
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }

        int partNumber = part.PartNumber!.Value;
        long partLength = part.PartLength!.Value;
        if (context.Request.ContentLength is not { } contentLength)
        {
            // Without it the body's end is known only once it has been read; a part's length is known up front.
            Log.UploadRefused(logger, storage.Name, StatusCodes.Status411LengthRequired, "the part has no Content-Length");
            return TypedResults.StatusCode(StatusCodes.Status411LengthRequired);
        }

        if (contentLength != partLength)
        {
            return contentLength > partLength
                ? RefusePart(storage, StatusCodes.Status413PayloadTooLarge, "Part too large", TooLongDetail(partNumber, partLength))
                : RefusePart(storage, StatusCodes.Status400BadRequest, "Wrong part length",
                    $"Part {partNumber} must be exactly {partLength.ToString("N0", CultureInfo.InvariantCulture)} bytes long, as its URL was signed for; this one has {contentLength.ToString("N0", CultureInfo.InvariantCulture)}.");
        }

        // The signed length is this request's limit, whatever the server's default (Kestrel's is 30 MB; a part may be larger).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = partLength;
        }

        string etag;
        try
        {
            etag = await storage.SaveDirectUploadPartAsync(name, part.UploadId!, partNumber, partLength, context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            // Completed, aborted or swept: the URL outlived its upload.
            Log.FileNotFound(logger, storage.Name, name);
            return TypedResults.NotFound();
        }
        catch (ArgumentOutOfRangeException)
        {
            // The app signed a part the upload does not have (its bug); the client is told plainly.
            return RefusePart(storage, StatusCodes.Status400BadRequest, "No such part",
                $"The upload has no part {partNumber} of {partLength.ToString("N0", CultureInfo.InvariantCulture)} bytes.");
        }
        catch (InvalidFileContentException ex)
        {
            return RefusePart(storage, StatusCodes.Status413PayloadTooLarge, "Part too large", ex.ClientMessage);
        }
        catch (BadHttpRequestException ex) when (UploadLimits.IsBodyTooLarge(ex))
        {
            return RefusePart(storage, StatusCodes.Status413PayloadTooLarge, "Part too large", TooLongDetail(partNumber, partLength));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-part; the storage dropped what had arrived. There is no one to answer.
            return TypedResults.Empty;
        }
        catch (Exception ex) when (ex is EndOfStreamException or BadHttpRequestException)
        {
            return RefusePart(storage, StatusCodes.Status400BadRequest, "Part cut short",
                $"Part {partNumber} ended before its {partLength.ToString("N0", CultureInfo.InvariantCulture)} bytes; nothing of it was kept. Send it again.");
        }

        context.Response.Headers.ETag = etag;
        return TypedResults.Ok();
    }

    private static string TooLongDetail(int partNumber, long partLength) =>
        $"Part {partNumber} is longer than the {partLength.ToString("N0", CultureInfo.InvariantCulture)} bytes its URL was signed for; nothing of it was kept. Send exactly that many.";

    private ProblemHttpResult RefusePart(LocalFileStorage storage, int status, string title, string detail)
    {
        Log.UploadRefused(logger, storage.Name, status, detail);
        return TypedResults.Problem(detail, statusCode: status, title: title);
    }
}
