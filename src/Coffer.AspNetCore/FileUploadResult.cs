using Microsoft.AspNetCore.Http.HttpResults;

namespace Coffer.AspNetCore;

/// <summary>What became of an upload: the stored file, or the problem to answer the client with.</summary>
public sealed class FileUploadResult
{
    private FileUploadResult(string? name, string? fileName, string? contentType, long length, ProblemHttpResult? problem)
    {
        Name = name;
        FileName = fileName;
        ContentType = contentType;
        Length = length;
        Problem = problem;
    }

    /// <summary>Whether the file was stored.</summary>
    public bool Succeeded => Problem is null;

    /// <summary>The name the file was stored under (keep this in the database); <see langword="null"/> when refused.</summary>
    public string? Name { get; }

    /// <summary>The file name the client sent, without folders; <see langword="null"/> when there was none.</summary>
    public string? FileName { get; }

    /// <summary>The file's content type: what the client declared, else what its extension maps to.</summary>
    public string? ContentType { get; }

    /// <summary>The stored file's size in bytes; 0 when refused.</summary>
    public long Length { get; }

    /// <summary>
    /// When the upload was refused, an RFC 7807 problem to return as it is: 400 (no file, empty file, bad name or
    /// malformed body), 413 (larger than the storage's <c>MaxFileSize</c>) or 415 (a type not in
    /// <see cref="FileUploadOptions.AllowedContentTypes"/>). Nothing was stored. <see langword="null"/> on success.
    /// </summary>
    public ProblemHttpResult? Problem { get; }

    internal static FileUploadResult Stored(string name, string fileName, string? contentType, long length) =>
        new(name, fileName, contentType, length, null);

    internal static FileUploadResult Refused(string? fileName, ProblemHttpResult problem) =>
        new(null, fileName, null, 0, problem);
}
