using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Sample.Endpoints;

/// <summary>A private file as the API shows it: <c>url</c> is signed for the caller and expires at <c>expiresAt</c>.</summary>
public sealed record FileResponse(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url, DateTimeOffset? ExpiresAt);

/// <summary>A public media file: <c>url</c> is plain and does not expire.</summary>
public sealed record MediaResponse(int Id, string Name, long Size, DateTimeOffset UploadedOn, string Url);

/// <summary>A share link.</summary>
public sealed record LinkResponse(string Url, DateTimeOffset? ExpiresAt);

/// <summary>Source-generated JSON for the API: no reflection on the hot paths.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FileResponse))]
[JsonSerializable(typeof(List<FileResponse>))]
[JsonSerializable(typeof(MediaResponse))]
[JsonSerializable(typeof(List<MediaResponse>))]
[JsonSerializable(typeof(LinkResponse))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
