namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>A configured file property: its options and a name for messages (<c>Document.File</c>).</summary>
internal sealed class FileField(FileFieldOptions options, string displayName)
{
    public FileFieldOptions Options { get; } = options;

    public string DisplayName { get; } = displayName;

    public bool DeletesOldFiles(FileStorage storage) =>
        Options.DeleteOldFiles ?? storage.Options.Visibility == FileVisibility.Private;

    public FileSaveOptions SaveOptions(object entity, PendingContent pending) => new()
    {
        UploadTo = Options.UploadTo,
        Instance = entity,
        ContentType = pending.ContentType,
        MaxNameLength = Options.MaxLength,
    };
}
