using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.AspNetCore.Internal;

/// <summary>
/// Coffer's upload endpoints (<c>MapCofferUploads</c>): part URLs, the parts stored (resume), complete and abort, each
/// for the upload a ticket stands for, and only for the caller it was issued to. The bodies are small JSON objects read
/// without reflection.
/// </summary>
internal sealed class DirectUploadEndpoint
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Where the endpoints are mapped (with the app's path base at mapping time); <see langword="null"/> until <c>MapCofferUploads</c>.</summary>
    public string? Path { get; set; }

    public static async Task<IResult> PartsAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var (uploads, storage, upload, _) = request!.Value;
        if (upload.Method != DirectUploadMethod.Parts)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not an upload in parts", "This upload is sent as one form; it has no part URLs.");
        }

        var numbers = new List<int>();
        if (!request.Value.Body.TryGetProperty("partNumbers", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return Problem(StatusCodes.Status400BadRequest, "No part numbers", "Send {\"ticket\": \"…\", \"partNumbers\": [1, 2, …]}.");
        }

        int max = uploads.Options.MaxPartUrlsPerRequest;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int number) || number < 1 || number > upload.PartCount)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid part number", $"Part numbers are whole numbers from 1 to {upload.PartCount} for this upload.");
            }

            if (numbers.Count == max)
            {
                return Problem(StatusCodes.Status400BadRequest, "Too many parts", $"Ask for at most {max} part URLs at a time.");
            }

            numbers.Add(number);
        }

        // A part URL lives until the ticket expires (at least a minute, so a part started just before still has time to go up).
        var lifetime = upload.ExpiresAt - TimeProvider.System.GetUtcNow();
        lifetime = TimeSpan.FromSeconds(Math.Max(60, Math.Ceiling(lifetime.TotalSeconds)));
        return Json(json =>
        {
            json.WriteStartArray("parts");
            foreach (int number in numbers)
            {
                var url = storage.GetDirectUploadPartUrl(upload.Name, upload.UploadId!, number, upload.GetPartLength(number), lifetime);
                json.WriteStartObject();
                json.WriteNumber("partNumber", number);
                json.WriteString("url", url.Url);
                if (url.ExpiresAt is { } expiresAt)
                {
                    json.WriteString("expiresAt", expiresAt);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    public static async Task<IResult> StatusAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var (uploads, storage, upload, _) = request!.Value;
        return await RunAsync(uploads, storage, async () =>
        {
            if (upload.Method != DirectUploadMethod.Parts)
            {
                bool stored = (await storage.GetInfoAsync(upload.Name, context.RequestAborted).ConfigureAwait(false)).Exists;
                return Status(stored, []);
            }

            IReadOnlyList<UploadedPart> parts;
            try
            {
                parts = await storage.ListDirectUploadPartsAsync(upload.Name, upload.UploadId!, context.RequestAborted).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                // Completed (or aborted): a completed upload is the object itself.
                bool stored = (await storage.GetInfoAsync(upload.Name, context.RequestAborted).ConfigureAwait(false)).Exists;
                return stored
                    ? Status(true, [])
                    : Problem(StatusCodes.Status404NotFound, "Upload not found", "The upload was aborted or has expired. Start the upload again.");
            }

            return Status(false, parts);
        }).ConfigureAwait(false);
    }

    public static async Task<IResult> CompleteAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var (uploads, storage, upload, _) = request!.Value;
        return await RunAsync(uploads, storage, async () =>
        {
            if (upload.Method == DirectUploadMethod.Parts)
            {
                try
                {
                    await storage.CompleteDirectUploadAsync(upload.Name, upload.UploadId!, upload.Length, context.RequestAborted).ConfigureAwait(false);
                }
                catch (FileNotFoundException)
                {
                    // Completed before (a retried request whose first answer was lost) is a success for the client.
                    if (!(await storage.GetInfoAsync(upload.Name, context.RequestAborted).ConfigureAwait(false)).Exists)
                    {
                        return Problem(StatusCodes.Status404NotFound, "Upload not found", "The upload was aborted or has expired. Start the upload again.");
                    }
                }
            }
            else if (!(await storage.GetInfoAsync(upload.Name, context.RequestAborted).ConfigureAwait(false)).Exists)
            {
                throw new UploadTicketException(UploadTicketProblem.Incomplete, "The file has not reached the storage yet: post the form first, then complete.");
            }

            return Results.NoContent();
        }).ConfigureAwait(false);
    }

    public static async Task<IResult> AbortAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var (uploads, storage, upload, _) = request!.Value;
        return await RunAsync(uploads, storage, async () =>
        {
            // A committed upload's object is a row's file: the abort first takes the pending entry over (which a commit
            // removes, and which a commit needs unchanged), so it can never delete a committed file, nor race a commit.
            if (!await uploads.TryAbandonAsync(upload, context.RequestAborted).ConfigureAwait(false))
            {
                return Problem(StatusCodes.Status409Conflict, "Upload already committed", "The upload was committed (or already removed); delete the file instead.");
            }

            await storage.AbortDirectUploadAsync(upload.Name, upload.UploadId, context.RequestAborted).ConfigureAwait(false);
            await uploads.ForgetAsync(upload, context.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }).ConfigureAwait(false);
    }

    private static async Task<IResult> RunAsync(DirectUploads uploads, FileStorage storage, Func<Task<IResult>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (uploads.ToProblem(storage, ex) is { } problem)
        {
            return problem;
        }
    }

    private static async Task<((DirectUploads Uploads, FileStorage Storage, DirectUpload Upload, JsonElement Body)?, IResult?)> ReadAsync(HttpContext context)
    {
        var uploads = context.RequestServices.GetRequiredService<DirectUploads>();
        if (!context.Request.HasJsonContentType())
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported request type", "Send application/json: {\"ticket\": \"…\"}."));
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "The request body is larger than an upload request needs."));
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(new LimitedStream(context.Request.Body, MaxBodyBytes), cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Malformed request", "The body is not valid JSON: send {\"ticket\": \"…\"}."));
        }
        catch (InvalidDataException)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "The request body is larger than an upload request needs."));
        }

        string? ticket = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("ticket", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        DirectUpload upload;
        try
        {
            upload = uploads.Read(ticket, context.User);
        }
        catch (UploadTicketException ex)
        {
            return (null, Problem(ex.Problem == UploadTicketProblem.WrongOwner ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest,
                ex.Problem == UploadTicketProblem.WrongOwner ? "Not your upload" : "Invalid upload ticket", ex.Message));
        }

        var storage = context.RequestServices.GetRequiredService<IFileStorageProvider>().GetStorage(upload.Storage);
        return ((uploads, storage, upload, body), null);
    }

    private static IResult Status(bool complete, IReadOnlyList<UploadedPart> parts) => Json(json =>
    {
        json.WriteBoolean("complete", complete);
        json.WriteStartArray("parts");
        foreach (var part in parts)
        {
            json.WriteStartObject();
            json.WriteNumber("partNumber", part.Number);
            json.WriteNumber("size", part.Length);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    // The relaxed encoder writes a part URL as it is ('&', not '\u0026'), as ASP.NET's own JSON options do. It is safe
    // here: the body goes out as application/json, read by a client's JSON parser, never embedded in an HTML page or a
    // script, where the escaping of '<', '>' and '&' would matter; quotes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static IResult Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return Results.Bytes(buffer.WrittenMemory, "application/json");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>Reads at most a limit, then fails: a JSON body is never buffered past what a request needs.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new InvalidDataException("The request body is too large.") : read;
        }
    }
}
