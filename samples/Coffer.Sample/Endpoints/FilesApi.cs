using System.Globalization;
using System.Security.Claims;
using Coffer.AspNetCore;
using Coffer.EntityFrameworkCore;
using Coffer.Sample.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Endpoints;

/// <summary>
/// The JSON API and the download redirect. Every handler checks that the caller owns the file; another user's
/// file is 404, exactly like a file that does not exist.
/// </summary>
public static class FilesApi
{
    /// <summary>How long the URL behind the app's own download link lives; the link itself can be withdrawn at any time.</summary>
    public static readonly TimeSpan DownloadUrlLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The longest share link: SigV4's limit, applied to every backend alike.</summary>
    public static readonly TimeSpan MaxShareLifetime = TimeSpan.FromDays(7);

    /// <summary>The lifetime of a share link when the request does not say.</summary>
    public static readonly TimeSpan DefaultShareLifetime = TimeSpan.FromHours(1);

    public static void MapFilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization().DisableAntiforgery().AddEndpointFilter(RequireAntiforgeryForCookies);
        api.MapGet("/files", ListFiles);
        api.MapGet("/files/{id:int}", GetFile);
        api.MapPost("/files", UploadFile).WithFileUploadLimits("private"); // the storage's MaxFileSize, not Kestrel's 30 MB
        api.MapPost("/uploads", StartUpload);                              // a ticket for a direct upload (browser → store)
        app.MapCofferUploads("/api/uploads").RequireAuthorization().DisableAntiforgery().AddEndpointFilter(RequireAntiforgeryForCookies);
        api.MapDelete("/files/{id:int}", DeleteFile);
        api.MapPost("/files/{id:int}/share", ShareFile);
        api.MapPost("/media", UploadMedia).WithFileUploadLimits("public");
        app.MapGet("/api/media", ListMedia).AllowAnonymous();
        app.MapGet("/files/{id:int}/download", Download).RequireAuthorization();
    }

    private static string UserId(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("An authenticated user has no id claim.");

    private static async Task<Ok<List<FileResponse>>> ListFiles(ClaimsPrincipal user, SampleDbContext db, FileQueries queries, CancellationToken ct)
    {
        var files = new List<FileResponse>();
        await foreach (var row in queries.FilesOwnedBy(db, UserId(user)).WithCancellation(ct))
        {
            var url = row.File.GetUrl(); // signed now, for this caller, with its own expiry; the projected field knows its storage
            files.Add(new FileResponse(row.Id, row.OriginalName, row.Size, row.UploadedOn, url.Url, url.ExpiresAt,
                row.Width, row.Height, ImageJson.Variants(row.File, row.Width)));
        }

        return TypedResults.Ok(files); // written with SampleJsonContext's generated metadata (see Program.cs)
    }

    private static async Task<Results<Ok<FileResponse>, NotFound>> GetFile(int id, ClaimsPrincipal user, SampleDbContext db, CancellationToken ct)
    {
        var row = await FindOwnedAsync(db, id, UserId(user), ct);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(row));
    }

    /// <summary>
    /// <c>POST /api/files</c>: a form upload (the file in the field <c>file</c>, through the app), or JSON
    /// <c>{"ticket": "…"}</c> to commit a direct upload (the bytes went straight to the store).
    /// </summary>
    private static async Task<Results<Created<FileResponse>, ProblemHttpResult>> UploadFile(HttpRequest request, ClaimsPrincipal user,
        SampleDbContext db, [FromKeyedServices("private")] FileStorage storage, FileUploader uploader, DirectUploads uploads, TimeProvider clock, CancellationToken ct)
    {
        if (request.HasJsonContentType())
        {
            return await CommitUploadAsync(request, user, db, storage, uploads, clock, ct);
        }

        if (string.IsNullOrEmpty(request.ContentType) && request.ContentLength is null or 0)
        {
            return TypedResults.Problem(UploadShape, statusCode: StatusCodes.Status400BadRequest, title: "The request has no body");
        }

        if (!request.HasFormContentType)
        {
            return TypedResults.Problem(UploadShape, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported request type");
        }

        IFormFile? file;
        try
        {
            file = (await request.ReadFormAsync(ct)).Files.GetFile("file");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // What the framework's own IFormFile binding answers 400 to: a malformed form, or a body shorter or longer
            // than its Content-Length (BadHttpRequestException is an IOException).
            return TypedResults.Problem($"The form could not be read: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }

        return await SaveFormFileAsync(file, user, db, storage, uploader, clock, ct);
    }

    /// <summary>Saves a form's file as the caller's private file: <c>POST /api/files</c>, and the page's form without JavaScript.</summary>
    internal static async Task<Results<Created<FileResponse>, ProblemHttpResult>> SaveFormFileAsync(IFormFile? file, ClaimsPrincipal user,
        SampleDbContext db, FileStorage storage, FileUploader uploader, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await SaveUploadAsync(file, storage, uploader, db, (name, stored) => new PrivateFile
        {
            OwnerId = UserId(user),
            OriginalName = name,
            Size = file!.Length,
            UploadedOn = clock.GetUtcNow(),
            File = stored,
        }, ct);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Created($"/api/files/{row!.Id}", ToResponse(row));
    }

    private const string UploadShape = "Send the file as multipart/form-data in the field 'file', or JSON {\"ticket\": \"…\"} to commit a direct upload.";

    /// <summary><c>POST /api/uploads</c>: a ticket to send a file straight to the private storage (docs/direct-uploads.md).</summary>
    private static async Task<Results<Created<Coffer.AspNetCore.DirectUploadTicket>, ProblemHttpResult>> StartUpload(UploadRequest? body, ClaimsPrincipal user,
        [FromKeyedServices("private")] FileStorage storage, DirectUploads uploads, CancellationToken ct)
    {
        if (body is not { FileName: { Length: > 0 } fileName, Size: { } size })
        {
            return TypedResults.Problem("Send JSON {\"fileName\": \"…\", \"size\": bytes, \"contentType\": \"…\"}; fileName and size are required.",
                statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }

        // The folder the row's field saves its files to, so a file sent directly lands where an upload through the app would.
        var started = await uploads.StartAsync(storage, fileName, size, body.ContentType, user, new FileSaveOptions { UploadTo = SampleDbContext.PrivateFilesFolder }, ct);
        return started.Succeeded ? TypedResults.Created((string?)null, started.Ticket) : started.Problem;
    }

    /// <summary>Commits a direct upload: the row and the end of the upload's pending state in one transaction, once.</summary>
    private static async Task<Results<Created<FileResponse>, ProblemHttpResult>> CommitUploadAsync(HttpRequest request, ClaimsPrincipal user,
        SampleDbContext db, FileStorage storage, DirectUploads uploads, TimeProvider clock, CancellationToken ct)
    {
        CommitRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync(SampleJsonContext.Default.CommitRequest, ct);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        if (body?.Ticket is not { Length: > 0 })
        {
            return TypedResults.Problem("Send JSON {\"ticket\": \"…\"} with the ticket POST /api/uploads gave for this file.",
                statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }

        try
        {
            var upload = uploads.Read(body.Ticket, user);
            var info = await storage.GetInfoAsync(upload.Name, ct);
            var row = new PrivateFile
            {
                OwnerId = UserId(user),
                OriginalName = upload.FileName,
                Size = info.Exists ? info.Length : upload.Length,
                UploadedOn = clock.GetUtcNow(),
                File = StoredFile.FromUpload(upload),
            };
            db.PrivateFiles.Add(row);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/files/{row.Id}", ToResponse(row));
        }
        catch (Exception ex) when (uploads.ToProblem(storage, ex) is { } problem)
        {
            return problem;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Two commits of one ticket at once: the other one won.
            return TypedResults.Problem("This upload was committed already; a ticket commits once.", statusCode: StatusCodes.Status409Conflict, title: "Upload already committed");
        }
    }

    private static async Task<Results<NoContent, NotFound>> DeleteFile(int id, ClaimsPrincipal user, SampleDbContext db, CancellationToken ct)
    {
        string userId = UserId(user);
        var row = await db.PrivateFiles.SingleOrDefaultAsync(f => f.Id == id && f.OwnerId == userId, ct);
        if (row is null)
        {
            return TypedResults.NotFound();
        }

        db.PrivateFiles.Remove(row);
        await db.SaveChangesAsync(ct); // the object is deleted after the commit (DeleteOldFiles is on for private storages)
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<LinkResponse>, NotFound, ProblemHttpResult>> ShareFile(int id, HttpRequest request,
        ClaimsPrincipal user, SampleDbContext db, CancellationToken ct)
    {
        var (lifetime, refused) = await ReadShareLifetimeAsync(request, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxShareLifetime)
        {
            return TypedResults.Problem($"A share link lives between 1 second and 7 days; {lifetime} was asked for.", statusCode: StatusCodes.Status400BadRequest);
        }

        var row = await FindOwnedAsync(db, id, UserId(user), ct);
        if (row is null)
        {
            return TypedResults.NotFound();
        }

        var url = row.File.GetUrl(new FileUrlOptions { Expiry = lifetime, DownloadFileName = row.OriginalName });
        return TypedResults.Ok(new LinkResponse(url.Url, url.ExpiresAt));
    }

    private static async Task<Results<RedirectHttpResult, NotFound>> Download(int id, ClaimsPrincipal user, SampleDbContext db,
        FileQueries queries, CancellationToken ct)
    {
        var row = await queries.DownloadOwnedBy(db, id, UserId(user), ct);
        if (row is null)
        {
            return TypedResults.NotFound();
        }

        var url = row.File.GetUrl(new FileUrlOptions { Expiry = DownloadUrlLifetime, DownloadFileName = row.OriginalName });
        return TypedResults.Redirect(url.Url);
    }

    private static async Task<Results<Created<MediaResponse>, ProblemHttpResult>> UploadMedia(IFormFile? file, ClaimsPrincipal user,
        SampleDbContext db, [FromKeyedServices("public")] FileStorage storage, FileUploader uploader, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await SaveUploadAsync(file, storage, uploader, db, (name, stored) => new MediaFile
        {
            UploaderId = UserId(user),
            OriginalName = name,
            Size = file!.Length,
            ContentType = file.ContentType,
            UploadedOn = clock.GetUtcNow(),
            File = stored,
        }, ct);
        if (problem is not null)
        {
            return problem;
        }

        string url = row!.File.Url;
        return TypedResults.Created(url, ToResponse(row));
    }

    private static async Task<Ok<List<MediaResponse>>> ListMedia(SampleDbContext db, CancellationToken ct)
    {
        var rows = await db.MediaFiles.AsNoTracking().OrderByDescending(f => f.Id).Take(200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ToResponse).ToList());
    }

    /// <summary>
    /// The lifetime asked for in the form field <c>expiresInSeconds</c>, as the page sends it; a request without a body
    /// or without the field gets <see cref="DefaultShareLifetime"/>. Read here rather than bound, so that a missing body
    /// is not an error and a bad value gets a message that names the field.
    /// </summary>
    private static async Task<(TimeSpan Lifetime, ProblemHttpResult? Refused)> ReadShareLifetimeAsync(HttpRequest request, CancellationToken ct)
    {
        bool hasBody = request.ContentLength is { } length ? length > 0 : request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
        if (!hasBody)
        {
            return (DefaultShareLifetime, null);
        }

        if (!request.HasFormContentType)
        {
            return (default, TypedResults.Problem(
                "Send the lifetime as the form field 'expiresInSeconds' (application/x-www-form-urlencoded or multipart/form-data), or send no body for 1 hour.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException ex)
        {
            return (default, TypedResults.Problem($"The form could not be read: {ex.Message}", statusCode: StatusCodes.Status400BadRequest));
        }

        string? value = form["expiresInSeconds"];
        if (string.IsNullOrEmpty(value))
        {
            return (DefaultShareLifetime, null);
        }

        // int.TryParse also refuses what would overflow, so TimeSpan.FromSeconds below cannot throw.
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seconds))
        {
            string shown = value.Length > 40 ? value[..40] + "…" : value;
            return (default, TypedResults.Problem(
                $"expiresInSeconds must be a whole number of seconds from 1 to {(int)MaxShareLifetime.TotalSeconds}; '{shown}' is not.",
                statusCode: StatusCodes.Status400BadRequest));
        }

        return (TimeSpan.FromSeconds(seconds), null);
    }

    private static Task<PrivateFile?> FindOwnedAsync(SampleDbContext db, int id, string userId, CancellationToken ct) =>
        db.PrivateFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.OwnerId == userId, ct);

    private static FileResponse ToResponse(PrivateFile row)
    {
        var url = row.File.GetUrl();
        return new FileResponse(row.Id, row.OriginalName, row.Size, row.UploadedOn, url.Url, url.ExpiresAt,
            row.Width, row.Height, ImageJson.Variants(row.File, row.Width));
    }

    private static MediaResponse ToResponse(MediaFile row) =>
        new(row.Id, row.OriginalName, row.Size, row.UploadedOn, row.File.Url, row.Width, row.Height, ImageJson.Variants(row.File, row.Width));

    /// <summary>
    /// The one upload path of both upload endpoints: checks the file against the storage's rules, adds the row that
    /// <paramref name="create"/> makes from the display name and the pending file, and saves it, which uploads the file
    /// first. A refused or failed upload comes back as a problem; the EF integration has already removed what it uploaded.
    /// </summary>
    private static async Task<(TRow? Row, ProblemHttpResult? Problem)> SaveUploadAsync<TRow>(IFormFile? file, FileStorage storage,
        FileUploader uploader, SampleDbContext db, Func<string, StoredFile, TRow> create, CancellationToken ct)
        where TRow : class
    {
        if (uploader.Check(storage, file) is { } refused)
        {
            return (null, refused);
        }

        string displayName = FileNames.FromClientFileName(file!.FileName);
        await using var content = file.OpenReadStream();
        var row = create(displayName, StoredFile.FromStream(content, displayName, file.ContentType));
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            return (row, null);
        }
        catch (Exception ex) when (uploader.ToProblem(storage, ex) is { } problem)
        {
            return (null, problem);
        }
    }

    /// <summary>
    /// Cookie-authenticated calls (the pages' scripts) must carry the antiforgery token; calls that the bearer scheme
    /// authenticated (scripts) cannot be forged cross-site, so they need none. Any other Authorization header proves
    /// nothing: a cross-site request can carry one as well as the cookie.
    /// </summary>
    private static async ValueTask<object?> RequireAntiforgeryForCookies(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && !(await http.AuthenticateAsync(IdentityConstants.BearerScheme)).Succeeded) // the result is cached for the request
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem("The request has no valid antiforgery token. Send the RequestVerificationToken header from the page.",
                    statusCode: StatusCodes.Status400BadRequest);
            }
        }

        return await next(context);
    }
}
