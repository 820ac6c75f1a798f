using System.Text.Json.Serialization;

namespace Coffer.AspNetCore;

/// <summary>
/// What a client gets when it asks to upload a file directly: the signed ticket and how to send the bytes
/// (docs/direct-uploads.md). Return it as JSON from the app's ticket endpoint.
/// </summary>
public sealed class DirectUploadTicket
{
    internal DirectUploadTicket(string ticket, DateTimeOffset expiresAt, string name, DirectUploadPlan plan, string? uploadsUrl)
    {
        Ticket = ticket;
        ExpiresAt = expiresAt;
        Name = name;
        Method = plan.Method == DirectUploadMethod.Form ? "form" : "parts";
        Url = plan.FormUrl?.AbsoluteUri;
        Fields = plan.Method == DirectUploadMethod.Form ? plan.FormFields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal) : null;
        PartSize = plan.Method == DirectUploadMethod.Parts ? plan.PartSize : null;
        PartCount = plan.Method == DirectUploadMethod.Parts ? plan.PartCount : null;
        UploadsUrl = uploadsUrl;
    }

    /// <summary>The signed ticket: opaque, bound to the caller, and given back to every upload endpoint and to the commit.</summary>
    [JsonPropertyName("ticket")]
    public string Ticket { get; }

    /// <summary>When the ticket stops working.</summary>
    [JsonPropertyName("expiresAt")]
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The stored name the server chose.</summary>
    [JsonPropertyName("name")]
    public string Name { get; }

    /// <summary><c>form</c> (one POST of <see cref="Fields"/> and the file to <see cref="Url"/>) or <c>parts</c>.</summary>
    [JsonPropertyName("method")]
    public string Method { get; }

    /// <summary>For a form: where to POST it.</summary>
    [JsonPropertyName("url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; }

    /// <summary>For a form: the signed fields, sent before the file (a field named <c>file</c>).</summary>
    [JsonPropertyName("fields")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Fields { get; }

    /// <summary>For parts: the length of every part but the last.</summary>
    [JsonPropertyName("partSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PartSize { get; }

    /// <summary>For parts: how many parts the file has.</summary>
    [JsonPropertyName("partCount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PartCount { get; }

    /// <summary>Where Coffer's upload endpoints are (<c>MapCofferUploads</c>): part URLs, status, complete, abort.</summary>
    [JsonPropertyName("uploadsUrl")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UploadsUrl { get; }
}

/// <summary>The outcome of <see cref="DirectUploads.StartAsync"/>: a ticket, or the problem to answer the client with.</summary>
public sealed class DirectUploadStartResult
{
    private DirectUploadStartResult(DirectUploadTicket? ticket, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? problem)
    {
        Ticket = ticket;
        Problem = problem;
    }

    /// <summary>Whether the upload was started.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Ticket))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => Ticket is not null;

    /// <summary>The ticket to return to the client (201).</summary>
    public DirectUploadTicket? Ticket { get; }

    /// <summary>Why the upload was refused: a 4xx problem whose detail says what to do, or a 503 when the store is down. Nothing was recorded or stored.</summary>
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem { get; }

    internal static DirectUploadStartResult Started(DirectUploadTicket ticket) => new(ticket, null);

    internal static DirectUploadStartResult Refused(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem) => new(null, problem);
}
