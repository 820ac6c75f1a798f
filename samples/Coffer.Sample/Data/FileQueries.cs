using Coffer.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Data;

/// <summary>
/// The API's two hot queries, compiled once: EF then skips, on every request, translating the LINQ tree and looking up
/// its query cache. Each is one round trip that reads only the columns the answer needs and tracks nothing; the owner
/// is part of the query, so another user's file is simply not found.
/// </summary>
/// <remarks>
/// A singleton rather than static fields: a compiled query belongs to the model of the first context that runs it, and
/// two apps in one process (tests on SQLite and on PostgreSQL) have different models.
/// </remarks>
public sealed class FileQueries
{
    /// <summary>The caller's files, newest first.</summary>
    public Func<SampleDbContext, string, IAsyncEnumerable<FileRow>> FilesOwnedBy { get; } =
        EF.CompileAsyncQuery((SampleDbContext db, string ownerId) => db.PrivateFiles.AsNoTracking()
            .Where(f => f.OwnerId == ownerId)
            .OrderByDescending(f => f.Id)
            .Select(f => new FileRow(f.Id, f.File, f.OriginalName, f.Size, f.UploadedOn, f.Width, f.Height)));

    /// <summary>What a download of file <c>id</c> needs, if the caller owns it; otherwise <see langword="null"/>.</summary>
    public Func<SampleDbContext, int, string, CancellationToken, Task<DownloadRow?>> DownloadOwnedBy { get; } =
        EF.CompileAsyncQuery((SampleDbContext db, int id, string ownerId, CancellationToken ct) => db.PrivateFiles.AsNoTracking()
            .Where(f => f.Id == id && f.OwnerId == ownerId)
            .Select(f => new DownloadRow(f.File, f.OriginalName))
            .SingleOrDefault());
}

/// <summary>The columns of a private file that the list shows.</summary>
public sealed record FileRow(int Id, StoredFile File, string OriginalName, long Size, DateTimeOffset UploadedOn, int? Width, int? Height);

/// <summary>The columns of a private file that a download needs.</summary>
public sealed record DownloadRow(StoredFile File, string OriginalName);
