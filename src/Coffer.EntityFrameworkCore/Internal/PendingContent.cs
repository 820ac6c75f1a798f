namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>Content assigned to a file field and not yet uploaded.</summary>
internal sealed class PendingContent(Stream content, string fileName, string? contentType, long? startPosition)
{
    public Stream Content { get; } = content;

    public string FileName { get; } = fileName;

    public string? ContentType { get; } = contentType;

    /// <summary>Where the content started, for a seekable stream, so a failed save can rewind it for a retry.</summary>
    public long? StartPosition { get; } = startPosition;

    public void Rewind()
    {
        if (StartPosition is { } position && Content.CanSeek)
        {
            Content.Position = position;
        }
    }
}
