using System.Globalization;
using Coffer.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Coffer.AspNetCore;

/// <summary>
/// Saves uploaded files into a storage under the storage's rules: its <see cref="FileStorageOptions.MaxFileSize"/>
/// (413), its <see cref="FileUploadOptions.AllowedContentTypes"/> (415), no empty files and no bad names (400). A
/// refused upload stores nothing and comes back as a problem to return to the client. Registered by <c>AddCoffer(…).AddFileUploader()</c>.
/// </summary>
/// <example>
/// <code>
/// app.MapPost("/files", async (IFormFile file, [FromKeyedServices("private")] FileStorage storage, FileUploader uploader) =>
/// {
///     var upload = await uploader.SaveAsync(storage, file, new() { UploadTo = "files/{yyyy}/{MM}" });
///     return upload.Succeeded ? Results.Ok(new { upload.Name }) : upload.Problem;
/// });
/// </code>
/// </example>
public sealed class FileUploader
{

    private readonly IOptionsMonitor<FileUploadOptions> _options;
    private readonly ILogger _logger;

    /// <summary>Creates an uploader that reads each storage's upload rules from <paramref name="options"/>.</summary>
    /// <param name="options">Upload rules, named by storage.</param>
    /// <param name="loggerFactory">Where refusals are logged; <see langword="null"/> for nowhere.</param>
    public FileUploader(IOptionsMonitor<FileUploadOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = loggerFactory?.CreateLogger(Log.Category) ?? NullLogger.Instance;
    }

    /// <summary>Saves a file of a form that ASP.NET has read (<see cref="IFormFile"/>).</summary>
    /// <param name="storage">Where to save it.</param>
    /// <param name="file">The uploaded file.</param>
    /// <param name="options">Upload-to and owner; the content type and length come from the upload.</param>
    /// <param name="cancellationToken">Cancels the save; nothing is left behind.</param>
    /// <returns>The stored name, or the problem to return.</returns>
    /// <exception cref="StorageUnavailableException">The storage could not be reached.</exception>
    public async Task<FileUploadResult> SaveAsync(FileStorage storage, IFormFile file, FileSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(file);
        var content = file.OpenReadStream();
        await using (content.ConfigureAwait(false))
        {
            return await SaveCoreAsync(storage, file.FileName, file.ContentType, content, file.Length, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves the file of a <c>multipart/form-data</c> request as it arrives, without buffering it in memory or on
    /// disk: the first part named <paramref name="fieldName"/> that has a file name is saved; parts before it are
    /// skipped. Use it on an endpoint that does not read the form itself (no <see cref="IFormFile"/> parameter).
    /// </summary>
    /// <remarks>
    /// When the storage has a <see cref="FileStorageOptions.MaxFileSize"/>, that size plus 64 KB for the form's framing
    /// becomes the request's body limit (raised or lowered from the server's, 30,000,000 bytes on Kestrel, unless the
    /// body is already being read), and a request that declares a longer body is refused before it is read. Every
    /// upload over the limit gets the same 413 problem, naming the limit.
    /// </remarks>
    /// <param name="storage">Where to save it.</param>
    /// <param name="request">The request whose body is the multipart form.</param>
    /// <param name="fieldName">The form field that holds the file. Default: <c>file</c>.</param>
    /// <param name="options">Upload-to and owner; the content type comes from the part.</param>
    /// <param name="cancellationToken">Cancels the save; nothing is left behind.</param>
    /// <returns>The stored name, or the problem to return.</returns>
    /// <exception cref="StorageUnavailableException">The storage could not be reached.</exception>
    public async Task<FileUploadResult> SaveMultipartAsync(FileStorage storage, HttpRequest request, string fieldName = "file",
        FileSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(fieldName);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(storage, null, StatusCodes.Status415UnsupportedMediaType, "Unsupported request type",
                $"The request must be multipart/form-data, with the file in the field '{fieldName}'.");
        }

        string boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? "";
        if (boundary.Length == 0)
        {
            return Refuse(storage, null, StatusCodes.Status400BadRequest, "Malformed request", "The multipart/form-data request has no boundary.");
        }

        if (storage.Options.MaxFileSize is { } maxFileSize)
        {
            long bodyLimit = UploadLimits.RequestBodyLimit(maxFileSize);
            if (request.ContentLength > bodyLimit)
            {
                UploadLimits.AllowDraining(request.HttpContext);
                return TooLarge(storage, null);
            }

            // The storage's limit governs, not the server's default (which would cut uploads above 28.6 MiB on Kestrel).
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            {
                sizeLimit.MaxRequestBodySize = bodyLimit;
            }
        }

        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.IsFileDisposition()
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, fieldName, StringComparison.Ordinal))
                {
                    continue; // the reader skips the rest of this part when asked for the next
                }

                string fileName = (disposition.FileNameStar.HasValue ? disposition.FileNameStar : HeaderUtilities.RemoveQuotes(disposition.FileName)).Value ?? "";
                var counted = new ForwardReadStream(section.Body); // counts what the storage reads of a part of unknown length
                return await SaveCoreAsync(storage, fileName, section.ContentType, counted, null, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException ex)
        {
            return Refuse(storage, null, StatusCodes.Status400BadRequest, "Malformed request", $"The multipart/form-data body is malformed: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (UploadLimits.IsBodyTooLarge(ex))
        {
            return TooLarge(storage, null);
        }

        return Refuse(storage, null, StatusCodes.Status400BadRequest, "No file", $"The request has no file in the form field '{fieldName}'.");
    }

    /// <summary>
    /// Checks an <see cref="IFormFile"/> against the storage's upload rules without saving it, for code that saves it
    /// another way (for example as pending content of an EF Core file field, uploaded by <c>SaveChanges</c>).
    /// </summary>
    /// <param name="storage">The storage the file is meant for.</param>
    /// <param name="file">The uploaded file; <see langword="null"/> when the form had none.</param>
    /// <returns>The problem to return (400, 413 or 415), or <see langword="null"/> when the file may be saved.</returns>
    public ProblemHttpResult? Check(FileStorage storage, IFormFile? file)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (file is null)
        {
            return Refuse(storage, null, StatusCodes.Status400BadRequest, "No file", "The request has no file in the form field 'file'.").Problem;
        }

        string fileName = FileNames.FromClientFileName(file.FileName);
        if (CheckContentType(storage, fileName, file.ContentType, out _) is { } refused)
        {
            return refused.Problem;
        }

        // The storage's own rules, as a save would apply them: the name first, then the length.
        try
        {
            storage.GetSaveName(fileName);
            storage.ValidateContentLength(file.Length);
            return null;
        }
        catch (Exception ex) when (ToResult(storage, fileName, ex) is { } problem)
        {
            return problem.Problem;
        }
    }

    /// <summary>
    /// The problem to return for an exception that a save into <paramref name="storage"/> threw: a refused name (400),
    /// refused content (400, 413), an unreachable storage (503); <see langword="null"/> for any other exception.
    /// </summary>
    public ProblemHttpResult? ToProblem(FileStorage storage, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(exception);
        return ToResult(storage, null, exception)?.Problem;
    }

    /// <summary>
    /// Checks a file a client only describes (a direct upload) as <see cref="Check"/> checks a form's file, and chooses the
    /// name a save would: the same rules, in one place, for both kinds of upload.
    /// </summary>
    internal DeclaredFile CheckDeclared(FileStorage storage, string clientFileName, string? declaredType, long length, FileSaveOptions? options)
    {
        string fileName = FileNames.FromClientFileName(clientFileName);
        if (CheckContentType(storage, fileName, declaredType, out string contentType) is { } refused)
        {
            return new DeclaredFile(null, fileName, null, refused.Problem);
        }

        try
        {
            var saveOptions = new FileSaveOptions
            {
                UploadTo = options?.UploadTo,
                Instance = options?.Instance,
                ContentType = options?.ContentType ?? contentType,
                MaxNameLength = options?.MaxNameLength,
            };
            string name = storage.GetSaveName(fileName, saveOptions);
            storage.ValidateContentLength(length);
            return new DeclaredFile(name, fileName, saveOptions.ContentType, null);
        }
        catch (Exception ex) when (ToResult(storage, fileName, ex) is { } problem)
        {
            return new DeclaredFile(null, fileName, null, problem.Problem);
        }
    }

    /// <summary>A described file that passed (<see cref="Name"/>, the stored name to use) or was refused (<see cref="Problem"/>).</summary>
    internal sealed record DeclaredFile(string? Name, string? FileName, string? ContentType, ProblemHttpResult? Problem);

    private async Task<FileUploadResult> SaveCoreAsync(FileStorage storage, string clientFileName, string? declaredType, Stream content,
        long? length, FileSaveOptions? options, CancellationToken cancellationToken)
    {
        string fileName = FileNames.FromClientFileName(clientFileName);
        if (CheckContentType(storage, fileName, declaredType, out string contentType) is { } refused)
        {
            return refused;
        }

        var saveOptions = new FileSaveOptions
        {
            UploadTo = options?.UploadTo,
            Instance = options?.Instance,
            ContentType = options?.ContentType ?? contentType,
            ContentLength = length,
        };

        try
        {
            string name = await storage.SaveAsync(fileName, content, saveOptions, cancellationToken).ConfigureAwait(false);
            long stored = length ?? ((ForwardReadStream)content).BytesRead;
            Log.FileUploaded(_logger, fileName, storage.Name, name, stored);
            return FileUploadResult.Stored(name, fileName, contentType, stored);
        }
        catch (Exception ex) when (ToResult(storage, fileName, ex) is { } problem)
        {
            return problem;
        }
    }


    private FileUploadResult? CheckContentType(FileStorage storage, string fileName, string? declaredType, out string contentType)
    {
        string? declared = NormalizeDeclared(declaredType);
        string byExtension = Coffer.ContentTypes.Resolve(fileName);
        contentType = declared ?? byExtension;
        var rules = _options.Get(storage.Name);
        if (rules.AllowedContentTypes.Count == 0)
        {
            return null;
        }

        string? refused = !IsAllowed(byExtension, rules.AllowedContentTypes) ? byExtension
            : declared is not null && !IsAllowed(declared, rules.AllowedContentTypes) ? declared
            : null;
        return refused is null ? null : Refuse(storage, fileName, StatusCodes.Status415UnsupportedMediaType, "Unsupported file type",
            $"Files of type '{refused}' are not accepted here. Accepted types: {string.Join(", ", rules.AllowedContentTypes)}.");
    }

    private FileUploadResult? ToResult(FileStorage storage, string? fileName, Exception exception) => exception switch
    {
        InvalidFileNameException ex => Refuse(storage, fileName, StatusCodes.Status400BadRequest, "Invalid file name", ex.ClientMessage),
        InvalidFileContentException { Problem: FileContentProblem.TooLarge } => TooLarge(storage, fileName),
        InvalidFileContentException { Problem: FileContentProblem.NotAnImage } ex => Refuse(storage, fileName, StatusCodes.Status415UnsupportedMediaType, "Not an image", ex.ClientMessage),
        InvalidFileContentException { Problem: FileContentProblem.ImageTooLarge } ex => Refuse(storage, fileName, StatusCodes.Status422UnprocessableEntity, "Image too large", ex.ClientMessage),
        InvalidFileContentException ex => Refuse(storage, fileName, StatusCodes.Status400BadRequest, "Empty file", ex.ClientMessage),
        BadHttpRequestException ex when UploadLimits.IsBodyTooLarge(ex) => TooLarge(storage, fileName),
        StorageUnavailableException ex => Unavailable(storage, fileName, ex),
        _ => null,
    };

    /// <summary>
    /// The 503 of a storage that could not be reached. Not the client's doing, so it is logged as a warning with the
    /// exception (its cause and stack), unlike the refusals, which are logged as information without one.
    /// </summary>
    private FileUploadResult Unavailable(FileStorage storage, string? fileName, StorageUnavailableException exception)
    {
        Log.StorageUnavailable(_logger, storage.Name, exception);
        // Only what is known: when the store may have kept the bytes (its answer was lost), "nothing was saved" would be
        // untrue; the file is then no one's (no row refers to it) and the exception names it for the sweeper.
        string detail = exception.UnconfirmedName is null
            ? "The file could not be stored right now; nothing was saved. Try again in a moment."
            : "The storage stopped answering while the file was being stored, so it was not added. Try again in a moment.";
        return FileUploadResult.Refused(fileName, TypedResults.Problem(detail,
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable"));
    }

    /// <summary>The 413 of an upload over the storage's limit, in the units the page shows it in.</summary>
    internal FileUploadResult TooLarge(FileStorage storage, string? fileName) =>
        Refuse(storage, fileName, StatusCodes.Status413PayloadTooLarge, "File too large", storage.Options.MaxFileSize is { } max
            ? $"The file is larger than {UploadLimits.FormatSize(max)}, the most that storage '{storage.Name}' accepts (MaxFileSize: {max.ToString("N0", CultureInfo.InvariantCulture)} bytes)."
            : "The request is larger than the server accepts for this endpoint.");

    private FileUploadResult Refuse(FileStorage storage, string? fileName, int status, string title, string detail)
    {
        Log.UploadRefused(_logger, storage.Name, status, detail);
        return FileUploadResult.Refused(fileName, TypedResults.Problem(detail, statusCode: status, title: title));
    }

    private static string? NormalizeDeclared(string? declared)
    {
        if (!MediaTypeHeaderValue.TryParse(declared, out var parsed) || !parsed.SubType.HasValue)
        {
            return null;
        }

        string type = parsed.MediaType.Value!.ToLowerInvariant();
        return type == ContentTypes.Default ? null : type; // "I don't know" from a browser or curl is not a claim
    }

    internal static bool IsAllowed(string contentType, IEnumerable<string> allowed)
    {
        string type = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value! : contentType;
        foreach (string pattern in allowed)
        {
            if (pattern == "*/*" || string.Equals(pattern, type, StringComparison.OrdinalIgnoreCase)
                || (pattern.EndsWith("/*", StringComparison.Ordinal) && type.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
