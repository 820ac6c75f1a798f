using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.EntityFrameworkCore;

namespace Coffer.Sample.Endpoints;

/// <summary>
/// A private file as the API shows it: <c>url</c> is signed for the caller and expires at <c>expiresAt</c>. For an image,
/// <c>width</c>/<c>height</c> as shown and <c>variants</c> (<c>{"thumb": url}</c>, signed the same way); <see langword="null"/> otherwise.
/// </summary>
public sealed record FileResponse(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url, DateTimeOffset? ExpiresAt,
    int? Width, int? Height, IReadOnlyDictionary<string, string>? Variants);

/// <summary>A public media file: <c>url</c> (and each variant's) is plain and does not expire.</summary>
public sealed record MediaResponse(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url,
    int? Width, int? Height, IReadOnlyDictionary<string, string>? Variants);

/// <summary>The image part of the API's objects.</summary>
internal static class ImageJson
{
    /// <summary>The URLs of an image's variants, by key, from the field (no I/O); <see langword="null"/> for a file that is not an image.</summary>
    public static IReadOnlyDictionary<string, string>? Variants(StoredFile file, int? width) =>
        width is null ? null : file.VariantKeys.ToDictionary(key => key, key => file.Variant(key).Url, StringComparer.Ordinal);
}

/// <summary>A share link.</summary>
public sealed record LinkResponse(string Url, DateTimeOffset? ExpiresAt);

/// <summary>What a client asks to upload directly: <c>POST /api/uploads</c>.</summary>
public sealed record UploadRequest(string? FileName, long? Size, string? ContentType);

/// <summary>A direct upload to commit: <c>POST /api/files</c> with JSON.</summary>
public sealed record CommitRequest(string? Ticket);

/// <summary>Source-generated JSON for the API: no reflection on the hot paths.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FileResponse))]
[JsonSerializable(typeof(List<FileResponse>))]
[JsonSerializable(typeof(MediaResponse))]
[JsonSerializable(typeof(List<MediaResponse>))]
[JsonSerializable(typeof(LinkResponse))]
[JsonSerializable(typeof(UploadRequest))]
[JsonSerializable(typeof(CommitRequest))]
[JsonSerializable(typeof(Coffer.AspNetCore.DirectUploadTicket))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
