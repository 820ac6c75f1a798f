namespace Coffer.AspNetCore;

/// <summary>
/// Upload rules of one storage, bound from <c>Coffer:Storages:{name}</c> beside the storage's own settings and
/// enforced by <see cref="FileUploader"/>. The size limit is the storage's <see cref="FileStorageOptions.MaxFileSize"/>.
/// </summary>
public sealed class FileUploadOptions
{
    /// <summary>
    /// Content types an upload may have, such as <c>image/png</c> or <c>image/*</c>; empty to accept any type.
    /// Both the type the file's extension maps to (the type the file will be served as) and the type the client
    /// declared must be in the list; a declared <c>application/octet-stream</c> counts as "not declared".
    /// A file with an unknown extension maps to <c>application/octet-stream</c>. Default: empty (any type).
    /// </summary>
    public IList<string> AllowedContentTypes { get; } = new List<string>();
}
