namespace Coffer.S3;

/// <summary>One part the store holds of an unfinished multipart upload, as it reports it (ListParts).</summary>
public sealed class S3UploadedPart
{
    internal S3UploadedPart(int partNumber, long size)
    {
        PartNumber = partNumber;
        Size = size;
    }

    /// <summary>The part's number, 1 to 10,000.</summary>
    public int PartNumber { get; }

    /// <summary>The part's length in bytes.</summary>
    public long Size { get; }
}
