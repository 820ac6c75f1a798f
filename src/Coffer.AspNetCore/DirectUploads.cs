using System.Globalization;
using System.Security.Claims;
using Coffer.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Coffer.AspNetCore;

/// <summary>
/// Direct uploads: a client sends a file straight to the storage (S3, or <c>MapCoffer</c>'s endpoint on local disk) under
/// a name the server chose, and commits it with its row afterwards (docs/direct-uploads.md). The app's own endpoint
/// calls <see cref="StartAsync"/> for a ticket, Coffer's upload endpoints (<c>MapCofferUploads</c>) sign the parts and
/// complete them, and the app's commit reads the ticket back with <see cref="Read"/> and assigns
/// <c>StoredFile.FromUpload(upload)</c>. Registered by <c>AddDirectUploads()</c>. Thread-safe.
/// </summary>
public sealed class DirectUploads
{
    private readonly FileUploader _uploader;
    private readonly IPendingUploadLedger _ledger;
    private readonly UploadTicketCodec _codec;
    private readonly IOptions<DirectUploadOptions> _options;
    private readonly DirectUploadEndpoint _endpoint;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    internal DirectUploads(FileUploader uploader, IPendingUploadLedger ledger, UploadTicketCodec codec, IOptions<DirectUploadOptions> options,
        DirectUploadEndpoint endpoint, TimeProvider? clock, ILoggerFactory? loggerFactory)
    {
        _uploader = uploader;
        _ledger = ledger;
        _codec = codec;
        _options = options;
        _endpoint = endpoint;
        _clock = clock ?? TimeProvider.System;
        _logger = loggerFactory?.CreateLogger(Log.Category) ?? NullLogger.Instance;
    }

    internal DirectUploadOptions Options => _options.Value;

    /// <summary>
    /// Starts a direct upload of a file the client describes: checks the name, the declared length and type against the
    /// storage's rules (as <see cref="FileUploader"/> checks a form upload), chooses the stored name, records the upload as
    /// pending in the ledger before any byte is sent, starts it on the storage, and signs a ticket bound to
    /// <paramref name="user"/>.
    /// </summary>
    /// <param name="storage">A storage that takes direct uploads (<see cref="FileStorage.SupportsDirectUploads"/>).</param>
    /// <param name="fileName">The file's name as the client gave it (<c>holiday.mov</c>).</param>
    /// <param name="length">The declared length in bytes; the store accepts no more.</param>
    /// <param name="contentType">The declared type; <see langword="null"/> to take it from the name.</param>
    /// <param name="user">The caller: only they may send, complete, abort or commit the upload.</param>
    /// <param name="options">Upload-to (as for a save) and the instance it is for; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the start; what was recorded is swept later.</param>
    /// <returns>The ticket, or the problem to answer with (nothing recorded or stored).</returns>
    public async Task<DirectUploadStartResult> StartAsync(FileStorage storage, string fileName, long length, string? contentType, ClaimsPrincipal user,
        FileSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(user);
        if (!storage.SupportsDirectUploads)
        {
            throw new InvalidOperationException($"Storage '{storage.Name}' does not take direct uploads: use a private local-disk or S3 storage, or upload through the app (FileUploader).");
        }

        if (length < 0)
        {
            return Refused(storage, StatusCodes.Status400BadRequest, "Invalid size", "The declared size must be a whole number of bytes, 0 or more.");
        }

        var checkedFile = _uploader.CheckDeclared(storage, fileName, contentType, length, options);
        if (checkedFile.Problem is { } problem)
        {
            return DirectUploadStartResult.Refused(problem);
        }

        var settings = _options.Value;
        var now = _clock.GetUtcNow();
        var expiresAt = now + settings.TicketLifetime;
        string name = checkedFile.Name!;
        try
        {
            var entry = await _ledger.RecordAsync(storage.Name, name, expiresAt + settings.SweepGrace, cancellationToken).ConfigureAwait(false);
            var plan = await storage.StartDirectUploadAsync(name, length, checkedFile.ContentType!, settings.TicketLifetime, cancellationToken).ConfigureAwait(false);
            if (plan.Method == DirectUploadMethod.Parts && _endpoint.Path is null)
            {
                throw new InvalidOperationException("The upload goes in parts, but Coffer's upload endpoints are not mapped: call app.MapCofferUploads() (and AddDirectUploads()).");
            }

            var upload = new DirectUpload(storage.Name, name, checkedFile.FileName!, length, checkedFile.ContentType!, plan.Method, plan.UploadId, plan.PartSize,
                entry.Id, entry.DueAt, OwnerOf(user), expiresAt);
            Log.DirectUploadStarted(_logger, storage.Name, name, length, plan.Method);
            return DirectUploadStartResult.Started(new DirectUploadTicket(_codec.Protect(upload), expiresAt, name, plan, _endpoint.Path));
        }
        catch (Exception ex) when (_uploader.ToProblem(storage, ex) is { } refused)
        {
            return DirectUploadStartResult.Refused(refused);
        }
    }

    /// <summary>
    /// Reads a ticket the client gave back: checks that this app signed it unchanged, that it has not expired, and that it
    /// was issued to <paramref name="user"/>. Use the result with <c>StoredFile.FromUpload</c> to commit the upload.
    /// </summary>
    /// <param name="ticket">The ticket string.</param>
    /// <param name="user">The caller.</param>
    /// <returns>The upload the ticket stands for.</returns>
    /// <exception cref="UploadTicketException">The ticket is forged or changed, expired, or someone else's.</exception>
    public DirectUpload Read(string? ticket, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var upload = string.IsNullOrEmpty(ticket) ? null : _codec.Unprotect(ticket);
        if (upload is null)
        {
            throw new UploadTicketException(UploadTicketProblem.Invalid, "The upload ticket is not valid: it was changed, or it is not from this site. Start the upload again.");
        }

        if (!string.Equals(upload.Owner, OwnerOf(user), StringComparison.Ordinal))
        {
            throw new UploadTicketException(UploadTicketProblem.WrongOwner, "The upload ticket was issued to someone else. Start the upload again.");
        }

        if (_clock.GetUtcNow() >= upload.ExpiresAt)
        {
            throw new UploadTicketException(UploadTicketProblem.Expired,
                $"The upload ticket expired at {upload.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)}. Start the upload again.");
        }

        return upload;
    }

    /// <summary>
    /// The problem to answer a refused upload or commit with: a ticket refusal (400, 403, 409), content the storage refused
    /// (400, 413, 415, 422), or a store that is down (503). <see langword="null"/> for any other exception, which is a bug to surface.
    /// </summary>
    /// <param name="storage">The storage the upload was for.</param>
    /// <param name="exception">What was thrown.</param>
    public ProblemHttpResult? ToProblem(FileStorage storage, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is UploadTicketException ticket)
        {
            var (status, title) = ticket.Problem switch
            {
                UploadTicketProblem.WrongOwner => (StatusCodes.Status403Forbidden, "Not your upload"),
                UploadTicketProblem.Expired => (StatusCodes.Status400BadRequest, "Upload ticket expired"),
                UploadTicketProblem.AlreadyCommitted => (StatusCodes.Status409Conflict, "Upload already committed"),
                UploadTicketProblem.Incomplete => (StatusCodes.Status409Conflict, "Upload not complete"),
                UploadTicketProblem.WrongStorage => (StatusCodes.Status400BadRequest, "Upload for another storage"),
                _ => (StatusCodes.Status400BadRequest, "Invalid upload ticket"),
            };
            Log.UploadRefused(_logger, storage.Name, status, ticket.Message);
            return TypedResults.Problem(ticket.Message, statusCode: status, title: title);
        }

        return _uploader.ToProblem(storage, exception);
    }

    /// <summary>Takes the upload's pending entry over, so no commit can succeed any more; <see langword="false"/> when it was committed (or swept) already.</summary>
    internal Task<bool> TryAbandonAsync(DirectUpload upload, CancellationToken cancellationToken) =>
        upload.LedgerEntryId is { } id && upload.LedgerDueAt is { } due
            ? _ledger.TryAbandonAsync(new PendingUploadEntry(id, due), cancellationToken)
            : Task.FromResult(false);

    /// <summary>Removes an abandoned upload's entry once its object and parts are gone.</summary>
    internal Task ForgetAsync(DirectUpload upload, CancellationToken cancellationToken) =>
        upload.LedgerEntryId is { } id ? _ledger.ForgetAsync(id, cancellationToken) : Task.CompletedTask;

    /// <summary>Who a ticket is bound to: the caller's <see cref="ClaimTypes.NameIdentifier"/>; <see langword="null"/> for an anonymous caller.</summary>
    internal static string? OwnerOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name : null;

    private DirectUploadStartResult Refused(FileStorage storage, int status, string title, string detail)
    {
        Log.UploadRefused(_logger, storage.Name, status, detail);
        return DirectUploadStartResult.Refused(TypedResults.Problem(detail, statusCode: status, title: title));
    }
}
